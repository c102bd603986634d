.PHONY: run test lint bench bench-full

run:   ## set up and serve on SQLite with demo data
	./run.sh

test:  ## set up, lint, type-check and test on SQLite and PostgreSQL
	./test.sh

lint:
	.venv/bin/ruff check src tests bench && .venv/bin/ruff format --check src tests bench && .venv/bin/mypy
