#!/usr/bin/env bash
# Installs the workspace's pinned dependencies (pnpm itself comes from npm when missing;
# corepack is not relied on). Skipped when the lockfile and manifests are what the last install saw.
set -euo pipefail
cd "$(dirname "$0")/../.."

stamp=node_modules/.clientele-install-stamp
inputs="$( (cat pnpm-lock.yaml pnpm-workspace.yaml .npmrc package.json {apps,packages,tooling}/*/package.json 2>/dev/null || true) | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$inputs" ]]; then
  echo "dependencies up to date (lockfile and package.json files unchanged since the last install)"
  exit 0
fi
if ! command -v pnpm >/dev/null || [[ "$(pnpm --version)" != 10.* ]]; then
  echo "installing pnpm 10"
  npm install --global --silent pnpm@10.34.9 || echo "global install not permitted; using npx pnpm@10.34.9"
fi
# pnpm's own reporter: progress on a terminal, appended lines in CI logs.
bash tooling/scripts/pnpm.sh install --frozen-lockfile
echo "$inputs" > "$stamp"
