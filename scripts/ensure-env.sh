#!/usr/bin/env bash
# Makes a fresh machine ready for `npm start` (needs nats-server) or `npm test` (also Chromium):
# npm dependencies when missing; system packages from apt when running as root on Debian;
# otherwise a message that says exactly what to install. Idempotent and quiet when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-test}"

if [ ! -x node_modules/.bin/node ] || [ ! -d node_modules/@noble/curves ]; then
  echo "roomkey: installing npm dependencies (first run)…"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
if [ "$mode" = test ] && [ ! -x "${ROOMKEY_CHROMIUM:-/usr/bin/chromium}" ]; then need+=(chromium); fi
# Firefox ESR runs the extension's Firefox checks; without it (off Debian) those checks are skipped.
if [ "$mode" = test ] && ! command -v firefox-esr >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  need+=(firefox-esr)
fi
# Pebble (Let's Encrypt's ACME test server) and openssl run the TLS/ACME integration tests.
if [ "$mode" = test ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  command -v pebble >/dev/null 2>&1 || need+=(pebble)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
fi

if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "roomkey: installing ${need[*]} with apt-get…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "roomkey: missing ${need[*]}." >&2
    for pkg in "${need[@]}"; do
      case "$pkg" in
        nats-server) echo "  - nats-server ≥ 2.9 on PATH: Debian/Ubuntu 'sudo apt-get install nats-server', macOS 'brew install nats-server', or a release binary from the NATS project." >&2 ;;
        chromium) echo "  - Chromium at /usr/bin/chromium (Debian 'sudo apt-get install chromium'), or set ROOMKEY_CHROMIUM=/path/to/chrome." >&2 ;;
      esac
    done
    exit 1
  fi
fi
