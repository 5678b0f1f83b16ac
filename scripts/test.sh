#!/usr/bin/env bash
# Every test: type check, unit tests (parallel), lab-backed scenarios (one file at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc -p tsconfig.json
# The Docker runtime's tests need an engine and the offline images: use the engine
# that answers, else start dockerd (stopped again on exit, by its recorded PID);
# images whose inputs did not change are not rebuilt.
echo "== docker engine and images"
cli() { node --import tsx harness/src/cli/main.ts "$@"; }
engine=$(cli images engine up)
if [ "$engine" = started ]; then trap 'cli images engine down' EXIT; fi
cli images build >/dev/null
echo "== unit tests"
npx ava --config ava.unit.config.js "$@"
echo "== lab scenarios"
npx ava --config ava.scenarios.config.js "$@"
