#!/usr/bin/env bash
# Browser tests: the built admin app, served by the real API (apps/api/test/harness.ts) on the run's
# own database, driven in Debian's Chromium through playwright-core.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  if [[ -z "${CHROMIUM_PATH:-}" && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [[ ! -x "$chromium" ]]; then
    echo "e2e: no Chromium at $chromium; install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
export CHROMIUM_PATH="$chromium"
export PATH="$PWD/node_modules/.bin:$PATH"
vite build --logLevel error
exec vitest run --config e2e/vitest.config.ts "$@"
