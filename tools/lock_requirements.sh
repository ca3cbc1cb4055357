#!/usr/bin/env bash
# Regenerate requirements.txt (exact pins) from requirements.in, in a
# throw-away venv, so the lock holds exactly what the book needs.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet -r requirements.in
{
  echo "# Exact versions of everything the book needs; generated from"
  echo "# requirements.in by tools/lock_requirements.sh. Edit that file."
  "$tmp/venv/bin/pip" freeze --all --exclude pip \
    | sed -E 's/^torch==([0-9.]+)\+cpu$/torch==\1/'
} > requirements.txt
echo "wrote requirements.txt ($(grep -vc '^#' requirements.txt) packages)"
