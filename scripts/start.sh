#!/usr/bin/env bash
# One command to set up and run the box: with ./config.yaml it runs the real modems in it;
# without one it runs the demo on simulated modems.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ -f config.yaml ]; then
  exec node dist/cli.js run --config config.yaml
fi
echo "==> no config.yaml here: running the demo on two simulated modems (Ctrl-C to stop)"
echo "    (copy the example from docs/CONFIG.md to config.yaml to use real modems)"
exec node dist/cli.js demo "$@"
