#!/usr/bin/env bash
# Set up a fresh Debian / Raspberry Pi OS machine for missedcall-box.
#   scripts/setup.sh          what running the box needs (Node.js packages, build)
#   scripts/setup.sh --test   also what the tests need (socat for pseudo-terminals, mosquitto)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "setup.sh: unknown option $arg (use --test)" >&2; exit 2 ;;
  esac
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}

need node nodejs
need npm npm
# better-sqlite3 and the serial port binding build from source when no prebuilt binary fits.
need g++ g++
need make make
need python3 python3
if [ "$want_test" -eq 1 ]; then
  need socat socat
  need mosquitto mosquitto
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup.sh: Node.js $(node -v) is too old; missedcall-box needs Node.js 20 or newer" >&2
  exit 1
fi

echo "==> installing Node.js packages (npm ci) and building"
npm ci --no-audit --no-fund
