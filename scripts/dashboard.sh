#!/usr/bin/env bash
# Set everything up and open the dashboard on the bundled sample (embedded DuckDB, no server
# to install). Extra arguments go to `template-noise serve` (e.g. --db FILE, --port P).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

port=8501
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [ "${args[$i]}" = "--port" ] && port="${args[$((i + 1))]}"
done
url="http://127.0.0.1:${port}"

.venv/bin/template-noise serve "$@" &
server=$!
trap 'kill "$server" 2>/dev/null' INT TERM
for _ in $(seq 1 120); do
  if .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
      "${url}/_stcore/health" 2>/dev/null; then
    echo "template-noise: the dashboard is at ${url} (Ctrl-C stops it)"
    # Opens a browser where there is one; on a machine without a screen it does nothing.
    .venv/bin/python -m webbrowser -t "${url}" >/dev/null 2>&1 || true
    break
  fi
  sleep 0.5
done
wait "$server"
