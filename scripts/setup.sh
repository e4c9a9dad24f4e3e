#!/usr/bin/env bash
# Set up a fresh Debian / Raspberry Pi OS machine for missedcall-box.
#   scripts/setup.sh          what running the box needs (Node.js packages, build)
#   scripts/setup.sh --test   also what the tests need (socat for pseudo-terminals, mosquitto,
#                             Debian's chromium for the status-page tests, and fonts for its screenshot)
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

# Node.js 20 or newer. Debian 12 and Raspberry Pi OS ship 18, so a missing or older Node.js
# comes from NodeSource's Node 20 packages (the Pi's LTS line).
node_ok() { command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]; }
if ! node_ok; then
  echo "==> installing Node.js 20 from NodeSource (found: $(node -v 2>/dev/null || echo none))"
  command -v curl >/dev/null 2>&1 || { as_root apt-get update -qq; as_root apt-get install -y -qq curl ca-certificates; }
  curl -fsSL https://deb.nodesource.com/setup_20.x | as_root bash -
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
fi
# better-sqlite3 and the serial port binding build from source when no prebuilt binary fits.
need g++ g++
need make make
need python3 python3
if [ "$want_test" -eq 1 ]; then
  need socat socat
  need mosquitto mosquitto
  # The sync tests make TLS certificates for their broker (test/helpers/mosquitto.ts).
  need openssl openssl
  # The status page is tested in headless Chromium at exactly this path (playwright-core never downloads a browser here).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Fonts for the page and its screenshot: Latin, and Devanagari for the Hindi page.
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  [ -e /usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf ] || missing+=(fonts-lohit-deva)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! node_ok; then
  echo "setup.sh: Node.js $(node -v 2>/dev/null || echo '(none)') is too old; missedcall-box needs Node.js 20 or newer" >&2
  exit 1
fi

echo "==> installing Node.js packages (npm ci) and building"
npm ci --no-audit --no-fund
