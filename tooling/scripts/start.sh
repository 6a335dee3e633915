#!/usr/bin/env bash
# One command for a fresh machine: install, create and migrate the database, run API + worker.
set -euo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1
bash tooling/scripts/install.sh
bash tooling/scripts/pnpm.sh --silent migrate

# Started directly (not through pnpm) so signals reach the processes themselves.
(cd apps/api && exec node_modules/.bin/tsx src/main.ts) &
api=$!
(cd apps/worker && exec node_modules/.bin/tsx src/main.ts) &
worker=$!
# Ctrl-C / SIGTERM reach both processes, which shut down gracefully.
trap 'kill -TERM $api $worker 2>/dev/null; wait' INT TERM

port="${PORT:-3000}"
for _ in $(seq 1 60); do
  node -e "fetch('http://127.0.0.1:$port/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" && break
  kill -0 $api 2>/dev/null || { wait $api; exit 1; }
  sleep 0.5
done
cat <<TXT

Clientele is running.
  REST     http://127.0.0.1:$port/api/v1      (docs: http://127.0.0.1:$port/api/v1/docs)
  tRPC     http://127.0.0.1:$port/trpc
  Health   http://127.0.0.1:$port/ready, metrics at /metrics
Get a development token (another terminal, in this folder):
  TOKEN=\$(npm run --silent token -- --tenant demo --role Admin)
  curl -H "Authorization: Bearer \$TOKEN" "http://127.0.0.1:$port/api/v1/customers/search"
Stop with Ctrl-C.

TXT
wait
