# Shell functions shared by bench/run.sh and bench/etcd/run.sh (sourced, not
# run). The caller sets OUT, the directory for logs and results, before
# calling start.

# --- Processes started here are stopped on any exit. ----------------------
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# start NAME COMMAND...: runs COMMAND with stdout on a FIFO and blocks on the
# FIFO until the readiness line "... listening on HOST:PORT" arrives (no
# sleeping); sets ADDRESS and PID, and METRICS (the scrape URL without
# /metrics) when the process printed one. Fails with the log's tail if the process
# exits first.
start() {
  local name=$1 line fd
  shift
  mkfifo "$OUT/$name.stdout"
  "$@" > "$OUT/$name.stdout" 2> "$OUT/$name.log" &
  PID=$!
  PIDS+=("$PID")
  exec {fd}< "$OUT/$name.stdout"
  ADDRESS=
  METRICS=
  while IFS= read -r -t 60 line <&"$fd"; do
    # backinstock-server --metrics_listen prints its scrape address first.
    if [[ $line == *" metrics on "* ]]; then METRICS=${line##* metrics on }; METRICS=${METRICS%/metrics}; fi
    if [[ $line == *" listening on "* ]]; then ADDRESS=${line##* listening on }; break; fi
  done
  if [[ -z $ADDRESS ]]; then
    exec {fd}<&-
    echo "bench: $name did not start:" >&2
    tail -n 5 "$OUT/$name.log" >&2
    return 1
  fi
  # Keep draining stdout so that the process never blocks on a full pipe.
  cat <&"$fd" > "$OUT/$name.out" &
  PIDS+=("$!")
  exec {fd}<&-
}

# Server CPU time (user + system) in clock ticks: far steadier than
# throughput when other work shares the machine.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
