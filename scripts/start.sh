#!/usr/bin/env bash
# `npm start`: installs npm dependencies on a fresh clone, builds, and runs
# the appliance with its embedded defaults (see `npm start -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
node scripts/build.mjs >&2
exec node --enable-source-maps dist/appliance/main.mjs "$@"
