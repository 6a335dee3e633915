#!/usr/bin/env bash
# `npm start`: the supervisor is a node script (tooling/scripts/start.mjs); exec so signals reach it.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node tooling/scripts/start.mjs "$@"
