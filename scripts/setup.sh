#!/bin/sh
# Sets up a clean clone on a machine that has only Node >= 20.19 and npm:
# installs pnpm 10 (corepack is not relied on), the workspace's dependencies,
# and builds every package (tsc -b). Idempotent and quick when nothing changed.
set -eu
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION with npm" >&2
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >&2
fi

if [ -f pnpm-lock.yaml ]; then
  pnpm install --frozen-lockfile --reporter=silent
else
  pnpm install --reporter=silent
fi
pnpm run --silent build
