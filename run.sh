#!/usr/bin/env bash
# Set up callvault in .venv and run it on the embedded SQLite database with demo data.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -e .
.venv/bin/callvault demo
exec .venv/bin/callvault serve --no-migrate
