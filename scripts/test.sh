#!/usr/bin/env bash
# Every test: type check, unit tests (parallel), lab-backed scenarios (one file at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc -p tsconfig.json
echo "== unit tests"
npx ava --config ava.unit.config.js "$@"
echo "== lab scenarios"
npx ava --config ava.scenarios.config.js "$@"
