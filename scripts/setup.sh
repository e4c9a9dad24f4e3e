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
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup.sh: installing needs root: run it as root, or install sudo" >&2; exit 1
  fi
}

apt_updated=0
apt_update() { # once per run, and only when something is to be installed
  if [ "$apt_updated" -eq 0 ]; then
    echo "==> apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
}
apt_install() {
  apt_update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
need() { # need <command> <debian package>
  command -v "$1" >/dev/null 2>&1 || missing+=("$2")
}

# Node.js 20 or newer. Debian 13 "trixie" and Raspberry Pi OS based on it ship Node.js 20 in
# their own nodejs package (npm is the separate npm package); Debian 12 and older Raspberry Pi OS
# ship 18, and then Node.js 20 comes from NodeSource's packages (the Pi's LTS line).
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
node_ok() { command -v node >/dev/null 2>&1 && [ "$(node_major)" -ge 20 ]; }
apt_node_major() { # major version of the nodejs package apt would install now, 0 if none
  local v
  v=$(LC_ALL=C apt-cache policy nodejs 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
  v=${v#*:}   # drop an epoch
  v=${v%%.*}
  if [[ "$v" =~ ^[0-9]+$ ]]; then echo "$v"; else echo 0; fi
}
if ! node_ok; then
  found=$(node -v 2>/dev/null || echo none)
  apt_update
  packaged=$(apt_node_major)
  if [ "$packaged" -ge 20 ]; then
    echo "==> installing Node.js $packaged from the system's packages (found: $found)"
    apt_install nodejs
  else
    if [ "$packaged" -eq 0 ]; then why="the system has no nodejs package"
    else why="the system's nodejs package is Node.js $packaged"; fi
    echo "==> $why: installing Node.js 20 from NodeSource (found: $found)"
    command -v curl >/dev/null 2>&1 || apt_install curl ca-certificates
    curl -fsSL https://deb.nodesource.com/setup_20.x | as_root bash -
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
  fi
fi
# NodeSource's nodejs includes npm; Debian's does not.
need npm npm
# npm reaches the registry over HTTPS with the system's certificates.
[ -e /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
# better-sqlite3 and the serial port binding build from source when no prebuilt binary fits
# (node-gyp: a C++ compiler, make and Python 3).
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
  apt_install "${missing[@]}"
fi

if ! node_ok; then
  echo "setup.sh: Node.js $(node -v 2>/dev/null || echo '(none)') is too old; missedcall-box needs Node.js 20 or newer" >&2
  exit 1
fi

echo "==> installing Node.js packages (npm ci) and building"
npm ci --no-audit --no-fund
