# The light-client table of bench/run.sh (sourced, not run): the same servers
# loaded by h2load (Debian's nghttp2-client), an HTTP/2 client in C that
# spends far less CPU per call than the gRPC C++ client, so that on a shared
# two-core machine the server, not the client, is what saturates. Each call is
# a fixed gRPC-framed request (written by backinstock-bench-load
# --h2load_request, so the bytes are the project's own messages) with the same
# token on every call.
#
# h2load counts HTTP 200, and gRPC puts its status in the trailers: before any
# measuring, light_check makes one call of each scenario with nghttp and
# requires grpc-status 0, and the metrics scenario compares the server's own
# count of OK calls with what h2load says succeeded (ratio_table.py).
#
# Creates need a message of their own per call (a fixed one creates once, then
# every call is ALREADY_EXISTS), which h2load cannot send. Their scenario runs
# backinstock-bench-h2 (bench/light/grpc_h2_load.cc) instead, on all three
# servers alike: the same libnghttp2, one thread, the same -c and -m, cycling
# through LIGHT_MESSAGES framed requests (each with an email of its own,
# written afresh before each of our runs), and a call succeeds only when its
# trailers say grpc-status 0.
#
# Needs from run.sh: LOAD, H2, KEYS, OUT, TARGET, TARGET_PID, cpu_ticks.
# Each round measures three servers, in rotating order: the bare baseline, the
# bare baseline with a pass-through interceptor (--interceptor), and ours. The
# bare baseline gets the issue's reference call (an empty answer); the one with
# the interceptor, the floor, gets a Noop that moves the same bytes as our
# call both ways (request padded to our request's size, an answer as large as
# ours), so that ours / floor is what our own work costs.
#
# Settings: BENCH_LIGHT_ROUNDS (3), BENCH_LIGHT_DURATION (5, seconds),
# BENCH_LIGHT_CLIENTS (10), BENCH_LIGHT_STREAMS (5), BENCH_LIGHT_MESSAGES
# (200000), BENCH_LIGHT_SCENARIOS (a regular expression: only the scenarios
# whose names match; all by default).
LIGHT_ROUNDS=${BENCH_LIGHT_ROUNDS:-3}
LIGHT_DURATION=${BENCH_LIGHT_DURATION:-5}
LIGHT_CLIENTS=${BENCH_LIGHT_CLIENTS:-10}
LIGHT_STREAMS=${BENCH_LIGHT_STREAMS:-5}
# Distinct creates written for each of our runs: more than one run makes.
LIGHT_MESSAGES=${BENCH_LIGHT_MESSAGES:-200000}

# name | target | our call kinds (space-separated: h2load cycles over their
# paths; their requests must be the same bytes) | baseline call kind
# [| unique: our calls each carry a message of their own (backinstock-bench-h2)].
LIGHT_SCENARIOS=(
  "get_settings|server|get_settings|noop"
  "get_settings_metrics|metrics|get_settings|noop"
  "start_collecting_elevated|server|start_collecting|noop_elevated"
  "start_stop_durable|durable|start_collecting stop_collecting|noop_elevated"
  "query_requests|requests_read|query_requests|noop_elevated"
  "count_requests|requests_read|count_requests|noop_elevated"
  "create_request|requests_light|create_request|noop_create|unique"
)

# light_prepare NAME KIND...: writes $OUT/light/NAME.KIND.body and sets
# LIGHT_HEADERS (h2load -H arguments) and LIGHT_URIS for TARGET. With
# LIGHT_UNIQUE set, the body is one create with an email of its own (what
# light_check sends; each run then gets LIGHT_MESSAGES others).
light_prepare() {
  local name=$1 target=$2 kind line key value
  shift 2
  LIGHT_HEADERS=(-H "content-type: application/grpc" -H "te: trailers")
  LIGHT_URIS=()
  for kind in "$@"; do
    while IFS= read -r line; do
      key=${line%% *}; value=${line#* }
      if [[ $key == path ]]; then
        LIGHT_URIS+=("http://${TARGET[$target]}$value")
      elif [[ $kind == "$1" ]]; then
        LIGHT_HEADERS+=(-H "$key: $value")
      fi
    done < <("$LOAD" --keys_file="$KEYS" --sites=1 --rpc="$kind" "${LIGHT_LOAD_FLAGS[@]}" \
               ${LIGHT_UNIQUE:+--h2load_requests=1} \
               --h2load_request="$OUT/light/$name.$kind.body")
    cmp -s "$OUT/light/$name.$1.body" "$OUT/light/$name.$kind.body" ||
      { echo "bench: $name: the requests of $* differ" >&2; exit 1; }
  done
  LIGHT_BODY=$OUT/light/$name.$1.body
}

# Extra flags for the load tool's --h2load_request (the floor's sizes).
LIGHT_LOAD_FLAGS=()

# light_write_messages FILE KIND COUNT: COUNT requests of KIND, each create with
# an email of its own (a new random run id on every call of this).
light_write_messages() {
  "$LOAD" --keys_file="$KEYS" --sites=1 --rpc="$2" --h2load_requests="$3" \
    --h2load_request="$1" > /dev/null
}

# light_answer_bytes CHECK_FILE: the size of the gRPC message in the answer
# light_check saw (its DATA frames, less the 5-byte message header).
light_answer_bytes() {
  awk '/recv DATA frame <length=/ { sub(/.*<length=/, ""); sub(/,.*/, ""); total += $0 }
       END { printf "%d", (total > 5 ? total - 5 : 0) }' "$1"
}

# light_check NAME: one call to each URI with nghttp; fails unless every
# answer's trailers carry grpc-status 0.
light_check() {
  local name=$1 uri
  for uri in "${LIGHT_URIS[@]}"; do
    nghttp -v "${LIGHT_HEADERS[@]}" -d "$LIGHT_BODY" "$uri" > "$OUT/light/$name.check" 2>&1 || true
    grep -q 'grpc-status: 0$' "$OUT/light/$name.check" || {
      echo "bench: $name: a sample call to $uri did not succeed:" >&2
      grep -E 'grpc-(status|message)' "$OUT/light/$name.check" >&2
      exit 1
    }
  done
}

# light_measure FILE TARGET_NAME: one h2load run with the prepared call, its
# output and per-request log kept, plus the target's CPU time (and its OK
# count when it serves metrics).
light_measure() {
  local file=$1 name=$2 before after ok_before=-1 ok_after=-1
  [[ -n ${METRICS_URL[$name]:-} ]] && ok_before=$(light_ok_calls "${METRICS_URL[$name]}")
  before=$(cpu_ticks "${TARGET_PID[$name]}")
  if [[ -n ${LIGHT_UNIQUE:-} ]]; then
    light_h2 "$file" ||
      { echo "bench: backinstock-bench-h2 against $name failed; see $file.out" >&2; exit 1; }
  else
    h2load -c "$LIGHT_CLIENTS" -m "$LIGHT_STREAMS" -t 1 -D "$LIGHT_DURATION" -d "$LIGHT_BODY" \
      "${LIGHT_HEADERS[@]}" --log-file="$file.log" "${LIGHT_URIS[@]}" > "$file.out" 2>&1 ||
      { echo "bench: h2load against $name failed; see $file.out" >&2; exit 1; }
  fi
  after=$(cpu_ticks "${TARGET_PID[$name]}")
  [[ -n ${METRICS_URL[$name]:-} ]] && ok_after=$(light_ok_calls "${METRICS_URL[$name]}")
  printf '{"cpu_ticks": %d, "ticks_per_s": %d, "ok_calls_counted": %d}\n' \
    $((after - before)) "$(getconf CLK_TCK)" \
    $(( ok_before < 0 ? -1 : ok_after - ok_before )) > "$file"
}

# light_h2 FILE: the prepared call (one URI) by backinstock-bench-h2, with
# h2load's settings; its output and per-call log as h2load's.
light_h2() {
  local file=$1 uri=${LIGHT_URIS[0]} headers="" i
  uri=${uri#http://}
  # One --headers flag, comma-separated (no token holds a comma).
  for ((i = 1; i < ${#LIGHT_HEADERS[@]}; i += 2)); do
    [[ ${LIGHT_HEADERS[i]} == content-type:* || ${LIGHT_HEADERS[i]} == te:* ]] ||
      headers+=${headers:+,}${LIGHT_HEADERS[i]}
  done
  "$H2" --target="${uri%%/*}" --path="/${uri#*/}" --bodies="$LIGHT_BODY" --headers="$headers" \
    --connections="$LIGHT_CLIENTS" --streams="$LIGHT_STREAMS" --duration="$LIGHT_DURATION" \
    --log_file="$file.log" > "$file.out" 2>&1
}

# The server's count of calls answered OK, all methods (--metrics_listen).
light_ok_calls() {
  curl -s "$1/metrics" |
    awk '/^grpc_server_handled_total\{/ && /grpc_code="OK"/ { sum += $NF } END { printf "%d", sum }'
}

light_run() {
  local round scenario name target kinds baseline_kind messages
  mkdir -p "$OUT/light"
  for scenario in "${LIGHT_SCENARIOS[@]}"; do
    IFS='|' read -r name target kinds baseline_kind messages <<< "$scenario"
    [[ -n ${TARGET[$target]:-} ]] || continue
    [[ $name =~ ^(${BENCH_LIGHT_SCENARIOS:-.*})$ ]] || continue
    # LIGHT_UNIQUE: our calls carry messages of their own, so every side of
    # this scenario is measured by backinstock-bench-h2.
    LIGHT_UNIQUE=""
    if [[ $messages == unique ]]; then
      if [[ ! -x $H2 ]]; then
        echo "bench: $name: not measured: $H2 was not built (libnghttp2-dev)" >&2
        continue
      fi
      LIGHT_UNIQUE=1
    fi
    # shellcheck disable=SC2086  # kinds is a word list
    light_prepare "$name" "$target" $kinds
    light_check "$name"
    local -a ours_headers=("${LIGHT_HEADERS[@]}") ours_uris=("${LIGHT_URIS[@]}")
    local ours_body=$LIGHT_BODY
    # Our call's message sizes (for the durable scenario, of its last URI's
    # answer: Start's and Stop's are the same size; every create's request is
    # the same size).
    local request_bytes answer_bytes
    request_bytes=$(($(stat -c %s "$ours_body") - 5))
    answer_bytes=$(light_answer_bytes "$OUT/light/$name.check")
    light_prepare "$name-baseline" baseline "$baseline_kind"
    light_check "$name-baseline"
    local -a base_headers=("${LIGHT_HEADERS[@]}") base_uris=("${LIGHT_URIS[@]}")
    local base_body=$LIGHT_BODY
    LIGHT_LOAD_FLAGS=(--noop_request_bytes="$request_bytes" --noop_answer_bytes="$answer_bytes")
    light_prepare "$name-floor" baseline "$baseline_kind"
    LIGHT_LOAD_FLAGS=()
    LIGHT_URIS=("${LIGHT_URIS[@]/${TARGET[baseline]}/${TARGET[baseline_interceptor]}}")
    light_check "$name-floor"
    [[ $(light_answer_bytes "$OUT/light/$name-floor.check") == "$answer_bytes" ]] ||
      { echo "bench: $name: the floor's answer is not $answer_bytes bytes" >&2; exit 1; }
    local -a floor_headers=("${LIGHT_HEADERS[@]}") floor_uris=("${LIGHT_URIS[@]}")
    local floor_body=$LIGHT_BODY
    echo "bench: $name: request $request_bytes bytes, answer $answer_bytes bytes (the floor moves the same)"
    for ((round = 1; round <= LIGHT_ROUNDS; round++)); do
      echo "bench: light client round $round/$LIGHT_ROUNDS $name"
      local side
      # Rotate the order so that drift in the machine's load favours none.
      local -a sides=(baseline target interceptor)
      local first=$(((round - 1) % 3))
      for side in "${sides[@]:first}" "${sides[@]:0:first}"; do
        if [[ $side == target ]]; then
          LIGHT_HEADERS=("${ours_headers[@]}"); LIGHT_URIS=("${ours_uris[@]}")
          LIGHT_BODY=$ours_body
          # Each run creates afresh: new emails, none the server has seen.
          if [[ -n $LIGHT_UNIQUE ]]; then
            LIGHT_BODY=$OUT/light/$name.run.body
            light_write_messages "$LIGHT_BODY" "${kinds%% *}" "$LIGHT_MESSAGES"
          fi
          light_measure "$OUT/light/$name.$round.target.json" "$target"
        elif [[ $side == interceptor ]]; then
          LIGHT_HEADERS=("${floor_headers[@]}"); LIGHT_URIS=("${floor_uris[@]}")
          LIGHT_BODY=$floor_body
          light_measure "$OUT/light/$name.$round.$side.json" baseline_interceptor
        else
          LIGHT_HEADERS=("${base_headers[@]}"); LIGHT_URIS=("${base_uris[@]}")
          LIGHT_BODY=$base_body
          light_measure "$OUT/light/$name.$round.$side.json" baseline
        fi
      done
    done
  done
}
