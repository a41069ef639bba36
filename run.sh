#!/usr/bin/env bash
# ConvLab's run command: installs what is missing, builds the page and serves it on 127.0.0.1.
#   ./run.sh              → http://127.0.0.1:8080/
#   ./run.sh --port 9000  (or PORT=9000 ./run.sh)
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup.sh
bash scripts/build.sh web
exec node scripts/serve.mjs "$@"
