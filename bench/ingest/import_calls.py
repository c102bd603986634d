"""``callvault import`` throughput: calls/s for a large JSONL file on SQLite and PostgreSQL.

    .venv/bin/python -m bench.ingest.import_calls --lines 1000000 [--backends sqlite,postgresql]

Runs the real command in a subprocess (``CALLVAULT_DATABASE_URL`` set to a fresh database),
bounded by ``--timeout`` seconds, then re-imports the same file (the idempotent path).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ingest.common import DEFAULT_PG, fresh_database, write_jsonl


def run_import(url: str, path: Path, timeout: float) -> tuple[float, str]:
    env = {**os.environ, "CALLVAULT_DATABASE_URL": url}
    command = [str(Path(sys.executable).parent / "callvault")]
    subprocess.run(
        [*command, "users", "create", "--email", "bench@example.com"],
        env=env,
        check=False,
        capture_output=True,
        timeout=60,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "import", str(path), "--user", "bench@example.com"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:] or done.stdout[-2000:])
    return elapsed, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--file", type=Path, default=None)
    args = parser.parse_args()
    path: Path = args.file or Path(tempfile.gettempdir()) / f"callvault-bench-{args.lines}.jsonl"
    if not path.exists():
        started = time.perf_counter()
        write_jsonl(path, args.lines)
        print(f"wrote {path} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    size = path.stat().st_size
    results = []
    for backend in args.backends.split(","):
        with fresh_database(backend, args.pg_url) as url:
            first, summary = run_import(url, path, args.timeout)
            again, resummary = run_import(url, path, args.timeout)
        results.append(
            {
                "backend": backend,
                "lines": args.lines,
                "file_mb": round(size / 2**20, 1),
                "import_s": round(first, 1),
                "calls_per_s": round(args.lines / first),
                "reimport_s": round(again, 1),
                "reimport_calls_per_s": round(args.lines / again),
                "summary": summary,
                "resummary": resummary,
            }
        )
        print(json.dumps(results[-1]), flush=True)


if __name__ == "__main__":
    main()
