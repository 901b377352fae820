#!/bin/sh
# Runs every fuzz target for a bounded time: fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Each target starts from a scratch copy of its committed corpus
# (tests/fuzz/corpus/<target>/), so new inputs never land in the source tree;
# crash inputs are written to BUILD_DIR/fuzz-artifacts/. Prints one summary
# line per target and exits non-zero if any target crashed.
set -u
build=$1
seconds=$2
shift 2
source_dir=$(cd "$(dirname "$0")/.." && pwd)
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
status=0
summary=""
for target in "$@"; do
  work="$build/fuzz-corpus/$target"
  mkdir -p "$work"
  cp "$source_dir/tests/fuzz/corpus/$target"/* "$work/"
  log="$build/fuzz-$target.log"
  echo "== $target: ${seconds}s (log: $log)"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/$target-" -rss_limit_mb=2048 "$work" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1)
  line="$target: exit $rc, ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-cov: ?}, ${ft:-ft: ?}"
  echo "$line"
  summary="$summary$line
"
  if [ "$rc" -ne 0 ]; then
    status=1
    tail -n 40 "$log"
  fi
done
echo "== summary"
printf '%s' "$summary"
exit $status
