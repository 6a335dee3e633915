#!/usr/bin/env bash
# The pinned pnpm: the installed one when it is version 10, else through npx (no global install needed).
if command -v pnpm >/dev/null 2>&1 && [[ "$(pnpm --version 2>/dev/null)" == 10.* ]]; then
  exec pnpm "$@"
fi
exec npx --yes pnpm@10.34.9 "$@"
