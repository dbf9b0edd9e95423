#!/usr/bin/env bash
# Set everything up and open the dashboard on the bundled sample (embedded DuckDB, no server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/template-noise serve "$@"
