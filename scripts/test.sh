#!/usr/bin/env bash
# Set everything up and run every check: lint, format, types, and the whole test suite
# (unit, property, Streamlit AppTest and real-browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$PWD/.venv/bin:$PATH"

ruff check dashboard tests sample_data benchmarks
ruff format --check dashboard tests sample_data benchmarks
mkdir -p build/typecheck && ln -sfn ../../dashboard build/typecheck/template_noise
mypy

set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit "$rc"
