#!/usr/bin/env bash
# bench/run.sh [BUILD_DIR]: the whole benchmark in one go (`make bench`).
#
# Starts backinstock-server (with a keys file made for this run; one instance
# per store and workload) and the bare gRPC baseline on free loopback ports,
# prepares the notification-request servers (collecting on, requests to read),
# runs the same closed-loop load against
# each, alternating which goes first round by round, then the micro-benchmarks
# and the memory measurement, and prints a table of ratios to the baseline.
# Absolute figures on a shared machine are noise; ratios measured in the same
# run, minutes apart, are what the targets are about.
#
# Settings (environment): BENCH_ROUNDS (3), BENCH_WARMUP (500ms), BENCH_DURATION
# (2500ms), BENCH_IN_FLIGHT (50), BENCH_CHANNELS (4), BENCH_SITES (100),
# BENCH_REQUESTS_PER_SITE (300, read by query_requests and count_requests),
# BENCH_REQUEST_ROUNDS (2) and BENCH_REQUEST_DURATION (1500ms) for the three
# notification-request scenarios,
# BENCH_REQUESTS_CAP (100000, --max_requests_per_site of the request servers),
# BENCH_OUT (a new directory under /tmp; everything measured is kept there),
# BENCH_ONLY=light (only the light-client table, bench/light_client.sh, whose
# settings are described there) or BENCH_ONLY=load (both clients' load
# tables, without the micro-benchmarks, memory, delivery and etcd).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-release}
# Exported: every mode of the run (bench/etcd/run.sh too) uses the same load.
export BENCH_ROUNDS=${BENCH_ROUNDS:-3}
export BENCH_WARMUP=${BENCH_WARMUP:-500ms}
export BENCH_DURATION=${BENCH_DURATION:-2500ms}
export BENCH_IN_FLIGHT=${BENCH_IN_FLIGHT:-50}
export BENCH_CHANNELS=${BENCH_CHANNELS:-4}
export BENCH_SITES=${BENCH_SITES:-100}
# Notification requests each site of the query/count server holds, and the
# per-site cap of the request servers (the server's default, 100,000, stated
# here so that long runs of create_request know their bound).
REQUESTS_PER_SITE=${BENCH_REQUESTS_PER_SITE:-300}
# Rounds (at most BENCH_ROUNDS) and measured duration of those scenarios.
REQUEST_ROUNDS=${BENCH_REQUEST_ROUNDS:-2}
REQUEST_DURATION=${BENCH_REQUEST_DURATION:-1500ms}
REQUESTS_CAP=${BENCH_REQUESTS_CAP:-100000}
ROUNDS=$BENCH_ROUNDS
WARMUP=$BENCH_WARMUP
DURATION=$BENCH_DURATION
IN_FLIGHT=$BENCH_IN_FLIGHT
CHANNELS=$BENCH_CHANNELS
SITES=$BENCH_SITES
OUT=${BENCH_OUT:-$(mktemp -d /tmp/backinstock-bench.XXXXXX)}
PYTHON=/usr/bin/python3  # Debian's python; the table script needs only the standard library

SERVER=$BUILD/server/backinstock-server
BASELINE=$BUILD/bench/backinstock-bench-baseline
LOAD=$BUILD/bench/backinstock-bench-load
H2=$BUILD/bench/backinstock-bench-h2  # light creates; built when libnghttp2-dev is there
ONLY=${BENCH_ONLY:-}
BINARIES=("$SERVER" "$BASELINE" "$LOAD")
[[ $ONLY == light || $ONLY == load ]] ||
  BINARIES+=("$BUILD/bench/backinstock-bench-store" "$BUILD/bench/backinstock-bench-auth"
             "$BUILD/bench/backinstock-bench-memory" "$BUILD/bench/backinstock-bench-query"
             "$BUILD/bench/backinstock-bench-metrics")
for binary in "${BINARIES[@]}"; do
  [[ -x $binary ]] || { echo "bench: $binary is missing; build first (make bench)" >&2; exit 2; }
done
QUERY_BENCH=$BUILD/bench/backinstock-bench-query
mkdir -p "$OUT/runs"
STARTED=$SECONDS

# PIDS and cleanup on exit, start (readiness on a FIFO), cpu_ticks.
source "$ROOT/bench/lib.sh"

# --- Keys made for this run only. ------------------------------------------
secret() { openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n'; }
KEYS=$OUT/keys.json
printf '{"identity_keys": {"bench-identity": "%s"}, "elevation_keys": {"bench-elevation": "%s"}}\n' \
  "$(secret)" "$(secret)" > "$KEYS"
chmod 600 "$KEYS"

# --- Servers. ----------------------------------------------------------------
declare -A TARGET TARGET_PID
start baseline "$BASELINE" --listen=127.0.0.1:0
TARGET[baseline]=$ADDRESS; TARGET_PID[baseline]=$PID
# The same bare server plus a pass-through interceptor that reads each call's
# headers: the floor that any server with the design's elevation interceptor
# stands on (the light-client table's second ratio).
start baseline_interceptor "$BASELINE" --listen=127.0.0.1:0 --interceptor
TARGET[baseline_interceptor]=$ADDRESS; TARGET_PID[baseline_interceptor]=$PID
start server "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 --audit_log="$OUT/server-audit.log"
TARGET[server]=$ADDRESS; TARGET_PID[server]=$PID
# The same server with metrics on (--metrics_listen): what counting costs.
start metrics "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 \
  --audit_log="$OUT/metrics-audit.log" --metrics_listen=127.0.0.1:0
TARGET[metrics]=$ADDRESS; TARGET_PID[metrics]=$PID
declare -A METRICS_URL
METRICS_URL[metrics]=$METRICS
# The durable store, when this build has it (`--data_dir`); otherwise the
# scenario is reported as not measured, with the server's own reason.
mkdir -p "$OUT/data"
if start durable "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 \
     --audit_log="$OUT/durable-audit.log" --data_dir="$OUT/data"; then
  TARGET[durable]=$ADDRESS; TARGET_PID[durable]=$PID
else
  tail -n 1 "$OUT/durable.log" > "$OUT/durable.unavailable"
fi
# Notification requests, in memory: one server takes the creates (and grows),
# another holds a fixed set that queries and counts read, so that every round
# of those scans the same number of requests.
start requests "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 \
  --audit_log="$OUT/requests-audit.log" --max_requests_per_site="$REQUESTS_CAP"
TARGET[requests]=$ADDRESS; TARGET_PID[requests]=$PID
start requests_read "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 \
  --audit_log="$OUT/requests-read-audit.log" --max_requests_per_site="$REQUESTS_CAP"
TARGET[requests_read]=$ADDRESS; TARGET_PID[requests_read]=$PID
# The light table's creates: one site takes every create of its rounds (a
# few hundred thousand), so its cap is far above them.
start requests_light "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 \
  --audit_log="$OUT/requests-light-audit.log" --max_requests_per_site=10000000
TARGET[requests_light]=$ADDRESS; TARGET_PID[requests_light]=$PID
echo "bench: baseline ${TARGET[baseline]}, server ${TARGET[server]}, metrics ${TARGET[metrics]}${TARGET[durable]:+, durable ${TARGET[durable]}}, requests ${TARGET[requests]} and ${TARGET[requests_read]}, light creates ${TARGET[requests_light]}; results in $OUT"

# setup NAME TARGET_NAME LOAD_FLAGS...: one load run that prepares a server
# (not measured); any failed call fails the benchmark.
setup() {
  local name=$1 target=$2
  shift 2
  "$LOAD" --target="${TARGET[$target]}" --keys_file="$KEYS" --sites="$SITES" --warmup=0s \
    --json "$@" > "$OUT/setup-$name.json" ||
    { echo "bench: setup $name failed; see $OUT/setup-$name.json" >&2; exit 1; }
}
# Creates need the sites' collecting switched on (an elevated Start for each
# site, one call at a time so that every site gets exactly one); queries and
# counts need requests to read: REQUESTS_PER_SITE each.
for target in requests requests_read requests_light; do
  setup "collect-$target" "$target" --rpc=start_collecting --in_flight=1 --calls="$SITES"
done
setup seed requests_read --rpc=create_request --in_flight="$IN_FLIGHT" \
  --channels="$CHANNELS" --calls=$((SITES * REQUESTS_PER_SITE))

# --- Load: each scenario against the baseline and the server, same load. ---
# name | target | rpc mix for the target | baseline rpc mix with the same headers
#   [| rounds at most | measured duration]: the notification-request scenarios
#   run REQUEST_ROUNDS rounds of REQUEST_DURATION so that `make bench` stays
#   under three minutes on 2 cores with the etcd mode included.
SCENARIOS=(
  "get_settings|server|get_settings|noop"
  "get_settings_metrics|metrics|get_settings|noop"
  "start_collecting_elevated|server|start_collecting|noop_elevated"
  "start_stop_elevated|server|start_collecting=1,stop_collecting=1|noop_elevated"
  "start_stop_durable|durable|start_collecting=1,stop_collecting=1|noop_elevated"
  "create_request|requests|create_request|noop_create|$REQUEST_ROUNDS|$REQUEST_DURATION"
  "query_requests|requests_read|query_requests|noop_elevated|$REQUEST_ROUNDS|$REQUEST_DURATION"
  "count_requests|requests_read|count_requests|noop_elevated|$REQUEST_ROUNDS|$REQUEST_DURATION"
)

# measure FILE TARGET_NAME RPC DURATION: one load run, its JSON plus the
# target's CPU time.
measure() {
  local file=$1 name=$2 rpc=$3 duration=$4 before after rc=0
  before=$(cpu_ticks "${TARGET_PID[$name]}")
  "$LOAD" --target="${TARGET[$name]}" --keys_file="$KEYS" --rpc="$rpc" \
    --in_flight="$IN_FLIGHT" --channels="$CHANNELS" --sites="$SITES" \
    --warmup="$WARMUP" --duration="$duration" --json > "$file.load" || rc=$?
  after=$(cpu_ticks "${TARGET_PID[$name]}")
  if (( rc != 0 && rc != 3 )); then echo "bench: load against $name failed ($rc)" >&2; exit 1; fi
  printf '{"cpu_ticks": %d, "ticks_per_s": %d, "load": %s}\n' \
    $((after - before)) "$(getconf CLK_TCK)" "$(cat "$file.load")" > "$file"
  rm -f "$file.load"
}

for ((round = 1; round <= ROUNDS; round++)); do
  [[ $ONLY == light ]] && break
  for scenario in "${SCENARIOS[@]}"; do
    IFS='|' read -r name target rpc baseline_rpc max_rounds duration <<< "$scenario"
    [[ -n ${TARGET[$target]:-} ]] || continue
    (( round <= ${max_rounds:-ROUNDS} )) || continue
    duration=${duration:-$DURATION}
    echo "bench: round $round/$ROUNDS $name"
    # Alternate the order so that drift in the machine's load favours neither.
    if (( round % 2 )); then
      measure "$OUT/runs/$name.$round.baseline.json" baseline "$baseline_rpc" "$duration"
      measure "$OUT/runs/$name.$round.target.json" "$target" "$rpc" "$duration"
    else
      measure "$OUT/runs/$name.$round.target.json" "$target" "$rpc" "$duration"
      measure "$OUT/runs/$name.$round.baseline.json" baseline "$baseline_rpc" "$duration"
    fi
  done
done
# --- The light client (h2load) against the same servers. --------------------
source "$ROOT/bench/light_client.sh"
light_run
cleanup
PIDS=()
if [[ $ONLY == light || $ONLY == load ]]; then
  {
    echo "machine: $(nproc) cores; load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [[ $ONLY == light ]]; then
      "$PYTHON" "$ROOT/bench/ratio_table.py" --light "$OUT"
    else
      "$PYTHON" "$ROOT/bench/ratio_table.py" --load "$OUT"
    fi
  } | tee "$OUT/table.txt"
  exit 0
fi

# --- Micro-benchmarks and memory. ------------------------------------------
echo "bench: micro-benchmarks"
"$BUILD/bench/backinstock-bench-auth" --benchmark_min_time=0.1 \
  --benchmark_out="$OUT/micro-auth.json" --benchmark_out_format=json > "$OUT/micro-auth.txt" 2>&1
"$BUILD/bench/backinstock-bench-store" --benchmark_min_time=0.1 \
  --benchmark_out="$OUT/micro-store.json" --benchmark_out_format=json > "$OUT/micro-store.txt" 2>&1
"$QUERY_BENCH" --benchmark_min_time=0.1 \
  --benchmark_out="$OUT/micro-query.json" --benchmark_out_format=json > "$OUT/micro-query.txt" 2>&1
"$BUILD/bench/backinstock-bench-metrics" --benchmark_min_time=0.1 \
  --benchmark_out="$OUT/micro-metrics.json" --benchmark_out_format=json > "$OUT/micro-metrics.txt" 2>&1
echo "bench: delivery"
(cd "$ROOT" && "$BUILD/bench/backinstock-bench-delivery" --requests=10000 2>/dev/null) \
  > "$OUT/delivery.txt"
echo "bench: memory"
"$BUILD/bench/backinstock-bench-memory" --sites=1000000 --json > "$OUT/memory.json"

# --- The table. ----------------------------------------------------------------
{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
       "$(free -h | awk '/^Mem:/ { print $2 }') RAM; load average before the table: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "load: $ROUNDS rounds, warm-up $WARMUP, $DURATION each, $IN_FLIGHT calls in flight over" \
       "$CHANNELS channels, $SITES sites (request scenarios: $REQUEST_ROUNDS rounds of" \
       "$REQUEST_DURATION, $REQUESTS_PER_SITE requests per site read); wall time $((SECONDS - STARTED)) s"
  "$PYTHON" "$ROOT/bench/ratio_table.py" "$OUT"
} | tee "$OUT/table.txt"
cat "$OUT/delivery.txt" | tee -a "$OUT/table.txt"
"$ROOT/bench/etcd/run.sh" "$BUILD" "$OUT" | tee -a "$OUT/table.txt"  # etcd mode
