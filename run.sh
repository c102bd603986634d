#!/usr/bin/env bash
# Set up callvault in .venv and run it on the embedded SQLite database with demo data.
set -euo pipefail
cd "$(dirname "$0")"
if [ -t 1 ]; then say() { printf '\033[1m==> %s\033[0m\n' "$*"; }; else say() { printf '==> %s\n' "$*"; }; fi

if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  python3 -m venv .venv
fi
# Installed once, again only when pyproject.toml changes (the stamp is newer otherwise).
if [ ! -x .venv/bin/callvault ] || [ pyproject.toml -nt .venv/.callvault-installed ]; then
  say "Installing callvault and its dependencies into .venv (the first time: about a minute)"
  .venv/bin/pip install --disable-pip-version-check -e . \
    | grep --line-buffered -E '^(Collecting|Installing|Successfully)' || [ "${PIPESTATUS[0]}" -eq 0 ]
  touch .venv/.callvault-installed
fi

# Before anything prints a token: is the port free? (One line naming the process if not.)
.venv/bin/callvault serve --check-port >/dev/null
say "Preparing the demo database"
.venv/bin/callvault demo --token-file .callvault-demo-token
say "Serving (Ctrl-C stops)"
exec .venv/bin/callvault serve --no-migrate
