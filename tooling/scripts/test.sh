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
for pkg in packages/domain packages/telemetry packages/files packages/messaging tooling/test-doubles packages/sdk apps/api; do
  echo "── tests: $pkg"
  (cd "$pkg" && bash ../../tooling/scripts/pnpm.sh exec vitest run --reporter=default --reporter=json --outputFile.json="$reports/$(basename "$pkg").json") || status=1
done
node tooling/scripts/summarize-tests.mjs "$reports"/*.json
exit $status
