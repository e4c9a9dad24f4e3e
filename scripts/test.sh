#!/usr/bin/env bash
# One command to set up and run the tests on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
npm test
