#!/usr/bin/env bash
# bench/http/run.sh BUILD_DIR [--libraries]: the HTTP front's benchmark.
#
# Default: REST GetSettings with a real token against the server's front, and
# the same load against a bare HTTP server on the same library
# (backinstock-bench-http-bare: the front's HTTP layer answering fixed JSON)
# and against the design's floor (the same server forwarding each request to
# an in-process no-op gRPC method first, --forward_grpc), rotating the order
# round by round, same load tool (wrk); then the server's CPU per call
# for REST GetSettings (wrk) and gRPC GetSettings (backinstock-bench-load).
# --libraries: the fixed-JSON server on Boost.Beast and on libmicrohttpd under
# the same load (the measurement behind docs/decisions.md's choice).
#
# Settings (environment): BENCH_HTTP_ROUNDS (5), BENCH_HTTP_DURATION (5s),
# BENCH_HTTP_CONNECTIONS (50), BENCH_HTTP_THREADS (2, wrk's), BENCH_OUT.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build-release}
MODE=${2:-front}
ROUNDS=${BENCH_HTTP_ROUNDS:-5}
DURATION=${BENCH_HTTP_DURATION:-5s}
CONNECTIONS=${BENCH_HTTP_CONNECTIONS:-50}
WRK_THREADS=${BENCH_HTTP_THREADS:-2}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/backinstock-bench-http.XXXXXX)}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
source "$ROOT/bench/lib.sh"

SETTINGS_PATH=/v1/back-in-stock-notification-requests/settings

# wrk_run NAME URL [HEADER]: one wrk run; prints "requests/s p99_ms requests".
wrk_run() {
  local name=$1 url=$2 header=${3:-}
  local args=(-t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  [[ -n $header ]] && args+=(-H "$header")
  wrk "${args[@]}" "$url" > "$OUT/$name.wrk"
  if grep -q "Non-2xx" "$OUT/$name.wrk"; then
    echo "bench: $name got non-2xx answers:" >&2; cat "$OUT/$name.wrk" >&2; exit 1
  fi
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                     if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    / requests in / { n = $1 }
    END { printf "%.0f %.3f %d\n", rps, p99, n }' "$OUT/$name.wrk"
}

if [[ $MODE == --libraries ]]; then
  start beast "$BUILD/bench/backinstock-bench-http-bare" --threads=2
  BEAST=$ADDRESS
  start mhd "$BUILD/bench/backinstock-bench-http-mhd" --threads=2
  MHD=$ADDRESS
  printf '%-6s %-8s %10s %9s\n' round library 'req/s' 'p99 ms'
  for ((round = 1; round <= ROUNDS; round++)); do
    # Alternate which goes first: the machine's load drifts.
    order=(beast mhd); (( round % 2 == 0 )) && order=(mhd beast)
    for lib in "${order[@]}"; do
      address=$BEAST; [[ $lib == mhd ]] && address=$MHD
      read -r rps p99 _ < <(wrk_run "$lib-$round" "http://$address$SETTINGS_PATH")
      printf '%-6s %-8s %10s %9s\n' "$round" "$lib" "$rps" "$p99"
    done
  done
  exit 0
fi

secret() { openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n'; }
KEYS=$OUT/keys.json
printf '{"identity_keys": {"bench-identity": "%s"}, "elevation_keys": {"bench-elevation": "%s"}}\n' \
  "$(secret)" "$(secret)" > "$KEYS"
chmod 600 "$KEYS"
TOKEN=$("$BUILD/client/ctl/backinstockctl" token identity --keys_file="$KEYS" --site=bench-http \
  --role=visitor)

start bare "$BUILD/bench/backinstock-bench-http-bare" --threads=2
BARE=$ADDRESS
# The design's floor: the same bare server, each request first forwarded
# through the front's GrpcForwarder to an in-process no-op gRPC method behind a
# pass-through interceptor (fixed_json_beast.cc --forward_grpc).
start floor "$BUILD/bench/backinstock-bench-http-bare" --threads=2 --forward_grpc
FLOOR=$ADDRESS
# The server prints its HTTP line first: ADDRESS is the front's.
start server "$BUILD/server/backinstock-server" --keys_file="$KEYS" --listen=127.0.0.1:0 \
  --http_listen=127.0.0.1:0 --audit_log=/dev/null
FRONT=$ADDRESS
SERVER_PID=$PID
GRPC=
for _ in $(seq 100); do
  GRPC=$(sed -n 's/^backinstock-server listening on //p' "$OUT/server.out" 2>/dev/null || true)
  [[ -n $GRPC ]] && break
  sleep 0.1
done
[[ -n $GRPC ]] || { echo "bench: no gRPC address in $OUT/server.out" >&2; exit 1; }

printf '%-6s %-6s %10s %9s\n' round target 'req/s' 'p99 ms'
declare -a RATIO_RPS RATIO_P99 FLOOR_RPS FRONT_FLOOR_RPS
targets=(front bare floor)
for ((round = 1; round <= ROUNDS; round++)); do
  # Rotate the order: the machine's load drifts.
  first=$(((round - 1) % 3))
  for target in "${targets[@]:first}" "${targets[@]:0:first}"; do
    case $target in
      front)
        read -r f_rps f_p99 _ < <(wrk_run "front-$round" "http://$FRONT$SETTINGS_PATH" \
          "Authorization: Bearer $TOKEN")
        printf '%-6s %-6s %10s %9s\n' "$round" front "$f_rps" "$f_p99" ;;
      bare)
        read -r b_rps b_p99 _ < <(wrk_run "bare-$round" "http://$BARE$SETTINGS_PATH")
        printf '%-6s %-6s %10s %9s\n' "$round" bare "$b_rps" "$b_p99" ;;
      floor)
        read -r l_rps l_p99 _ < <(wrk_run "floor-$round" "http://$FLOOR$SETTINGS_PATH" \
          "Authorization: Bearer $TOKEN")
        printf '%-6s %-6s %10s %9s\n' "$round" floor "$l_rps" "$l_p99" ;;
    esac
  done
  RATIO_RPS+=("$(awk -v a="$f_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", a / b }')")
  RATIO_P99+=("$(awk -v a="$f_p99" -v b="$b_p99" 'BEGIN { printf "%.2f", a / b }')")
  FLOOR_RPS+=("$(awk -v a="$l_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", a / b }')")
  FRONT_FLOOR_RPS+=("$(awk -v a="$f_rps" -v b="$l_rps" 'BEGIN { printf "%.2f", a / b }')")
done
echo "front/bare throughput per round: ${RATIO_RPS[*]} (target >= 0.70)"
echo "front/bare p99 per round:        ${RATIO_P99[*]} (target <= 1.5)"
echo "floor/bare throughput per round: ${FLOOR_RPS[*]} (the in-process gRPC hop and an interceptor alone)"
echo "front/floor throughput per round: ${FRONT_FLOOR_RPS[*]}"

# CPU per call: the server's user+system ticks over a run, per answered call.
ticks_per_s=$(getconf CLK_TCK)
before=$(cpu_ticks "$SERVER_PID")
read -r _ _ rest_calls < <(wrk_run rest-cpu "http://$FRONT$SETTINGS_PATH" "Authorization: Bearer $TOKEN")
after=$(cpu_ticks "$SERVER_PID")
rest_us=$(awk -v t=$((after - before)) -v hz="$ticks_per_s" -v n="$rest_calls" \
  'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
before=$(cpu_ticks "$SERVER_PID")
"$BUILD/bench/backinstock-bench-load" --target="$GRPC" --keys_file="$KEYS" --rpc=get_settings \
  --in_flight="$CONNECTIONS" --warmup=0s --duration="$DURATION" --json > "$OUT/grpc-cpu.json"
after=$(cpu_ticks "$SERVER_PID")
grpc_calls=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total_calls"])' "$OUT/grpc-cpu.json")
grpc_us=$(awk -v t=$((after - before)) -v hz="$ticks_per_s" -v n="$grpc_calls" \
  'BEGIN { printf "%.1f", t / hz * 1e6 / n }')
echo "server CPU per GetSettings: REST ${rest_us} us, gRPC ${grpc_us} us (results in $OUT)"
