#!/usr/bin/env bash
# The whole test suite, as `npm test` runs it on a fresh clone:
# dependencies (npm and Debian), build, type check, then every tap test.
# Ends with one line "N passed, N failed" for CI.
set -uo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund || exit 1
bash scripts/install-deps.sh || exit 1
node scripts/build.mjs || exit 1
# Removing tap's TypeScript plugin (tsx runs the tests) needs tap's generated files rebuilt once.
[ -f node_modules/.tap-built ] || { npx tap build >/dev/null && touch node_modules/.tap-built; } || exit 1
npm run -s typecheck || { echo "type check failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
npx tap --disable-coverage -R terse "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^# \{ total: ' "$log" | tail -1)
pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
rm -f "$log"
echo "${pass:-0} passed, ${fail:-0} failed"
if [ "$status" -ne 0 ] && [ "${fail:-0}" = "0" ]; then echo "tap exited with $status"; fi
exit "$status"
