#!/usr/bin/env bash
# One command for every check: install, typecheck, lint, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1
bash tooling/scripts/install.sh
bash tooling/scripts/ensure-services.sh

bash tooling/scripts/pnpm.sh exec turbo run typecheck lint --output-logs=errors-only

reports="$(mktemp -d)"
status=0
for pkg in packages/domain packages/telemetry packages/files packages/messaging tooling/test-doubles packages/sdk apps/api apps/admin; do
  echo "── tests: $pkg"
  (cd "$pkg" && bash ../../tooling/scripts/pnpm.sh exec vitest run --reporter=default --reporter=json --outputFile.json="$reports/$(basename "$pkg").json") || status=1
done
# The admin app in a real browser (Chromium) against the real API; run.sh builds the app first.
echo "── tests: apps/admin (browser)"
(cd apps/admin && bash e2e/run.sh --reporter=default --reporter=json --outputFile.json="$reports/admin-e2e.json") || status=1
node tooling/scripts/summarize-tests.mjs "$reports"/*.json
exit $status
