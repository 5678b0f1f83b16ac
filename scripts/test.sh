#!/usr/bin/env bash
# Every test: type check and dependency check, unit tests (parallel), lab-backed scenarios (one file at a time),
# then a check that no lab left anything behind. Ends with one line "test: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# Every temp file or directory the suite makes goes under one private TMPDIR, so the
# leftover check below can tell a test that forgot to clean up (and only ours).
suite_tmp=$(mktemp -d "${TMPDIR:-/tmp}/bgpdns-lab-test.XXXXXX")
chmod 755 "$suite_tmp" # daemons that drop privileges (bgpd, tinydns) must reach their dirs
export TMPDIR=$suite_tmp
echo "== typecheck and dependency check"
# tsc, then the architecture's rules (.dependency-cruiser.cjs, scripts/deps/): a violation fails here.
npm run --silent typecheck
# The Docker runtime's tests need an engine and the offline images: use the engine
# that answers, else start dockerd (stopped again on exit, by its recorded PID);
# images whose inputs did not change are not rebuilt.
echo "== docker engine and images"
cli() { node --import tsx harness/src/cli/main.ts "$@"; }
engine=$(cli images engine up)
if [ "$engine" = started ]; then trap 'cli images engine down' EXIT; fi
cli images build >/dev/null

logs=$(mktemp -d /tmp/bgpdns-lab-test-logs.XXXXXX)
status=0
stopped=0 # stages stopped on their time limit, each counted as one failure
stage_pid=""
# A stage runs in its own session, out of reach of the terminal's Ctrl-C (and, started in
# the background, with SIGINT ignored): an INT or a TERM of this script is passed on to the
# stage's process group as a TERM — on which every lab a test deployed is torn down by its
# worker — and its end is waited for (at most 30 s) before the engine stops.
# stop_group PID SECONDS: TERM the process group PID leads, KILL it if it outlives SECONDS.
stop_group() {
  kill -TERM -- "-$1" 2>/dev/null || true
  for _ in $(seq 1 "$2"); do kill -0 "$1" 2>/dev/null || break; sleep 1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}
pass_on() {
  [ -z "$stage_pid" ] || stop_group "$stage_pid" 30
  exit 130
}
trap pass_on INT TERM
# stage NAME CONFIG LIMIT [ava args…]: run one ava stage, keep its output for the totals.
# ava's own timeout only fires when no test at all reports for a while; a stage that still
# runs after LIMIT seconds is stopped here, with the processes it had listed (the hung test
# file's worker is among them), so a hang is a failure with a cause and not a CI killed
# silently. ava writes to a file that `tail --pid` shows: a daemon a test lost and that
# still holds the output cannot keep the stage from ending (as it could a pipe into tee).
stage() {
  local name=$1 config=$2 limit=$3
  shift 3
  local log="$logs/$name.log" start=$SECONDS
  echo "== $name (from $(date -u +%T) UTC, stopped after $limit s)"
  : >"$log"
  # Its own process group (setsid), so that stopping a hung stage stops all it started.
  setsid npx ava --config "$config" "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  stage_pid=$pid
  tail -n +1 -f --pid="$pid" "$log" &
  local shown=$!
  while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - start)) -lt "$limit" ]; do sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "== $name: still running after $limit s; its processes:"
    ps -s "$pid" -o pid,etime,stat,args --forest || true
    stop_group "$pid" 20
    stopped=$((stopped + 1))
  fi
  wait "$pid" || status=1
  stage_pid=""
  wait "$shown" 2>/dev/null || true
  echo "== $name took $((SECONDS - start)) s"
}
stage "unit tests" ava.unit.config.js "${BGPDNS_LAB_UNIT_LIMIT_S:-1200}" "$@"
stage "lab scenarios" ava.scenarios.config.js "${BGPDNS_LAB_SCENARIO_LIMIT_S:-1800}" "$@"

echo "== leftovers"
left=$(node --import tsx -e '
  const { leftovers } = await import("./harness/src/lab/destroy.ts");
  for (const l of await leftovers()) console.log(`${l.lab} ${l.type} ${l.id}`);
') || status=1
if [ -n "$left" ]; then
  echo "labs left resources behind (a teardown leaks):"
  echo "$left"
  status=1
fi
# A daemon a test started and lost (its worker killed on a timeout) still points into
# the suite's TMPDIR (cwd, or a ROOT=/DIR=… in its environment): report it, stop it by PID.
stray=""
for proc in /proc/[0-9]*; do
  pid=${proc#/proc/}
  [ "$pid" != "$$" ] || continue
  cwd=$(readlink "$proc/cwd" 2>/dev/null || true)
  if [[ $cwd == "$suite_tmp"* ]] || { tr '\0' '\n' 2>/dev/null <"$proc/environ" | grep -v '^TMPDIR=' | grep -qF "$suite_tmp"; }; then
    stray+="$pid $(tr '\0' ' ' 2>/dev/null <"$proc/cmdline")"$'\n'
    kill -TERM "$pid" 2>/dev/null || true
  fi
done
if [ -n "$stray" ]; then
  echo "tests left processes running (stopped now):"
  printf '%s' "$stray"
  status=1
fi
# tsx-<uid> is tsx's own compile cache, not a test's.
left_tmp=$(find "$suite_tmp" -mindepth 1 -maxdepth 1 ! -name 'tsx-*' -printf '%f\n' | sort)
if [ -n "$left_tmp" ]; then
  echo "tests left temp files behind in TMPDIR (a test does not clean up):"
  echo "$left_tmp"
  status=1
fi
[ -n "$left$left_tmp$stray" ] || echo "none"
rm -rf "$suite_tmp"

# ava prints one "✔" line per passed test (its "N tests passed" total is left out when
# some failed) and closing lines like "  2 tests failed", "  1 uncaught exception".
count() { { grep -hoE "^\s+[0-9]+ ($1)" "$logs"/*.log || true; } | awk '{s+=$1} END {print s+0}'; }
passed=$({ grep -hE '^\s+✔ ' "$logs"/*.log || true; } | grep -vc 'expected fail' || true)
failed=$(( $(count 'tests? failed') + $(count 'uncaught exceptions?|unhandled rejections?') + stopped ))
rm -rf "$logs"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "test: $passed passed, $failed failed"
exit "$status"
