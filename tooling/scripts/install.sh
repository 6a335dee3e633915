#!/usr/bin/env bash
# Installs the workspace's pinned dependencies (pnpm itself comes from npm when missing;
# corepack is not relied on).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v pnpm >/dev/null || [[ "$(pnpm --version)" != 10.* ]]; then
  echo "installing pnpm 10"
  npm install --global --silent pnpm@10.34.9 || echo "global install not permitted; using npx pnpm@10.34.9"
fi
bash tooling/scripts/pnpm.sh install --frozen-lockfile --reporter=silent
