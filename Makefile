.PHONY: run test lint contract bench bench-full bench-smoke

run:   ## set up and serve on SQLite with demo data
	./run.sh

test:  ## set up, lint, type-check and test on SQLite and PostgreSQL
	./test.sh

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/ruff format --check src tests bench && .venv/bin/mypy

contract:  ## schemathesis against a live server on SQLite and PostgreSQL, every check
	.venv/bin/python -m tests.contract.live --max-examples 100

BENCH = .venv/bin/python -m bench.run

bench:  ## the quick benchmark: 100k calls on PostgreSQL, 10k on SQLite -> docs/benchmarks.md
	$(BENCH) --backend postgresql --size 100000 --write docs/benchmarks.md
	$(BENCH) --backend sqlite --size 10000 --write docs/benchmarks.md

bench-full:  ## the big sizes: 1M calls on SQLite, 10M on PostgreSQL (hours, tens of GB)
	$(BENCH) --backend sqlite --size 1000000 --write docs/benchmarks.md
	$(BENCH) --backend postgresql --size 10000000 --write docs/benchmarks.md

bench-smoke:  ## CI smoke: tiny sizes, only checks that the benchmark completes
	$(BENCH) --backend postgresql --size 5000 --requests 5 --budget 0.2 --seconds 1
	$(BENCH) --backend sqlite --size 2000 --requests 5 --budget 0.2 --seconds 1
