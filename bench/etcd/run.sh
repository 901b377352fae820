#!/usr/bin/env bash
# bench/etcd/run.sh BUILD_DIR OUT_DIR: the etcd mode of `make bench` (called by
# bench/run.sh). Starts a 3-member etcd cluster (Debian's etcd) on free loopback
# ports, one backinstock-server replica over it (--store=etcd) and one over
# memory, and measures, with the same closed-loop load shape as bench/run.sh:
#   write: replica Start/Stop (elevated) vs etcd's own Put, same cluster, same run,
#          same number of writes in flight (goal: ratio >= 0.70)
#   read:  replica GetSettings (served from its cache) vs the memory server
#          (goal: ratio >= 0.80)
# and, as references, etcd's own guarded Txn (shaped like the replica's) at the
# same in-flight count, and a second replica with group commit off
# (--etcd_txns_in_flight=0).
# Prints four table lines; everything measured is kept under OUT_DIR/etcd/.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:?build dir}
OUT=${2:?output dir}/etcd
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-1s}
DURATION=${BENCH_DURATION:-3s}
IN_FLIGHT=${BENCH_IN_FLIGHT:-50}
# Writes in flight, for the replica and for etcd's Put alike. The server runs
# store calls that wait on etcd on a pool of 32 threads
# (kBlockingWriteThreads in server/runtime/server.cc): a replica never has
# more than 32 Txns outstanding, so comparing with Put at 50 would measure
# that design limit, not the store. Set it to BENCH_IN_FLIGHT to see the limit.
WRITE_IN_FLIGHT=${BENCH_ETCD_WRITE_IN_FLIGHT:-32}
CHANNELS=${BENCH_CHANNELS:-4}
SITES=${BENCH_SITES:-100}
PYTHON=/usr/bin/python3
SERVER=$BUILD/server/backinstock-server
LOAD=$BUILD/bench/backinstock-bench-load
PUT=$BUILD/bench/etcd/backinstock-bench-etcd-put

if ! command -v etcd > /dev/null; then
  echo "etcd mode: not measured (no etcd binary; make deps installs etcd-server)"
  exit 0
fi
if [[ ! -x $PUT ]]; then
  echo "etcd mode: $PUT is missing (make bench builds it)" >&2
  exit 1
fi
mkdir -p "$OUT/runs"

# PIDS and cleanup on exit, start (readiness on a FIFO), cpu_ticks.
source "$ROOT/bench/lib.sh"

# Free loopback ports, chosen now (the kernel's ephemeral range).
free_ports() {
  "$PYTHON" - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}
read -r -a PORTS <<< "$(free_ports 6)"
CLUSTER=""
ENDPOINTS=""
for i in 0 1 2; do
  CLUSTER+="${CLUSTER:+,}m$i=http://127.0.0.1:${PORTS[$((3 + i))]}"
  ENDPOINTS+="${ENDPOINTS:+,}127.0.0.1:${PORTS[$i]}"
done
for i in 0 1 2; do
  etcd --name="m$i" --data-dir="$OUT/etcd-m$i" \
    --listen-client-urls="http://127.0.0.1:${PORTS[$i]}" \
    --advertise-client-urls="http://127.0.0.1:${PORTS[$i]}" \
    --listen-peer-urls="http://127.0.0.1:${PORTS[$((3 + i))]}" \
    --initial-advertise-peer-urls="http://127.0.0.1:${PORTS[$((3 + i))]}" \
    --initial-cluster="$CLUSTER" --initial-cluster-state=new \
    --initial-cluster-token="bench-$$" --logger=zap --log-level=warn \
    > "$OUT/etcd-m$i.log" 2>&1 &
  PIDS+=("$!")
done
# Healthy = every member answers a read that needs a leader (etcdctl waits).
ETCDCTL_API=3 etcdctl --endpoints="$ENDPOINTS" --command-timeout=60s \
  endpoint health > "$OUT/etcd-health.txt" 2>&1

secret() { openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n'; }
KEYS=$OUT/keys.json
printf '{"identity_keys": {"bench-identity": "%s"}, "elevation_keys": {"bench-elevation": "%s"}}\n' \
  "$(secret)" "$(secret)" > "$KEYS"
chmod 600 "$KEYS"
# BENCH_ETCD_REPLICA_FLAGS: extra flags for the measured replica (for example
# --etcd_txns_in_flight=2 to tune grouping).
# shellcheck disable=SC2086
start replica "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 --audit_log=/dev/null \
  --store=etcd --etcd_endpoints="$ENDPOINTS" ${BENCH_ETCD_REPLICA_FLAGS:-}
REPLICA=$ADDRESS
REPLICA_PID=$PID
# The same replica with group commit off (every Txn sent alone): a reference
# line showing what grouping gains.
start replica-alone "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 --audit_log=/dev/null \
  --store=etcd --etcd_endpoints="$ENDPOINTS" --etcd_txns_in_flight=0
REPLICA_ALONE=$ADDRESS
start memory "$SERVER" --keys_file="$KEYS" --listen=127.0.0.1:0 --audit_log=/dev/null
MEMORY=$ADDRESS
MEMORY_PID=$PID

# The load tool's lane i calls site (i + sequence * in_flight) % sites with
# kind (i + sequence) % 2. With as many sites as lanes, lane i owns site i and
# alternates Start and Stop on it: every call changes state (one etcd write),
# and no two calls race on a site. That is the shape etcd's Put load has (each
# lane one write in flight), so the ratio compares like with like. (With more
# sites than lanes about half the calls are no-ops and concurrent Start/Stop of
# one site lose compare-and-swap races, each a Txn that writes nothing.)
WRITE_SITES=$WRITE_IN_FLIGHT
load() {  # load FILE TARGET RPC [IN_FLIGHT SITES]
  local rc=0
  "$LOAD" --target="$2" --keys_file="$KEYS" --rpc="$3" --in_flight="${4:-$IN_FLIGHT}" \
    --channels="$CHANNELS" --sites="${5:-$SITES}" --warmup="$WARMUP" --duration="$DURATION" \
    --json > "$1" || rc=$?
  (( rc == 0 || rc == 3 )) || { echo "etcd mode: load $3 on $2 failed ($rc)" >&2; exit 1; }
}
read_load() {  # read_load FILE TARGET PID: GetSettings load, with the server's CPU time
  local before after
  before=$(cpu_ticks "$3")
  load "$1.load" "$2" get_settings
  after=$(cpu_ticks "$3")
  "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["cpu_ticks"] = int(sys.argv[2]); d["ticks_per_s"] = int(sys.argv[3]); print(json.dumps(d))' \
    "$1.load" $((after - before)) "$(getconf CLK_TCK)" > "$1"
  rm -f "$1.load"
}
put() {  # put FILE [--txn]
  local rc=0
  "$PUT" --endpoints="$ENDPOINTS" --in_flight="$WRITE_IN_FLIGHT" --channels="$CHANNELS" \
    --keys="$WRITE_SITES" --warmup="$WARMUP" --duration="$DURATION" "${@:2}" > "$1" || rc=$?
  (( rc == 0 || rc == 3 )) || { echo "etcd mode: etcd put load failed ($rc)" >&2; exit 1; }
}
# Settings writes committed so far: the sum of the settings keys' versions
# (etcd adds one to a key's version at each put). The difference over a load
# run is the number of writes the replica really made (a Start on a site
# already collecting answers without writing). Not etcd's revision: a group
# of writes the replica sends as one transaction commits at one revision.
settings_writes() {
  ETCDCTL_API=3 etcdctl --endpoints="${ENDPOINTS%%,*}" get --prefix /backinstock/v1/sites/ -w json |
    "$PYTHON" -c 'import base64, json, sys
kvs = json.load(sys.stdin).get("kvs", [])
print(sum(kv.get("version", 0) for kv in kvs if base64.b64decode(kv["key"]).endswith(b"/settings")))'
}
write() {  # write FILE [TARGET]: a replica's Start/Stop load, with the etcd writes it made
  local before after
  before=$(settings_writes)
  load "$1.load" "${2:-$REPLICA}" "start_collecting=1,stop_collecting=1" "$WRITE_IN_FLIGHT" \
    "$WRITE_SITES"
  after=$(settings_writes)
  "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["etcd_writes"] = int(sys.argv[2]); print(json.dumps(d))' \
    "$1.load" $((after - before)) > "$1"
  rm -f "$1.load"
}
for ((round = 1; round <= ROUNDS; round++)); do
  echo "bench: etcd round $round/$ROUNDS" >&2
  # Alternate the order so that drift in the machine's load favours neither.
  if (( round % 2 )); then
    put "$OUT/runs/put.$round.json"
    write "$OUT/runs/write.$round.json"
    put "$OUT/runs/txn.$round.json" --txn
    write "$OUT/runs/write_alone.$round.json" "$REPLICA_ALONE"
    read_load "$OUT/runs/read_memory.$round.json" "$MEMORY" "$MEMORY_PID"
    read_load "$OUT/runs/read.$round.json" "$REPLICA" "$REPLICA_PID"
  else
    write "$OUT/runs/write_alone.$round.json" "$REPLICA_ALONE"
    put "$OUT/runs/txn.$round.json" --txn
    write "$OUT/runs/write.$round.json"
    put "$OUT/runs/put.$round.json"
    read_load "$OUT/runs/read.$round.json" "$REPLICA" "$REPLICA_PID"
    read_load "$OUT/runs/read_memory.$round.json" "$MEMORY" "$MEMORY_PID"
  fi
done

# Median over rounds of each ratio (same round, minutes apart at most).
"$PYTHON" - "$OUT/runs" "$ROUNDS" <<'PY'
import json, statistics, sys
runs, rounds = sys.argv[1], int(sys.argv[2])
def run(name, r):
    with open(f"{runs}/{name}.{r}.json") as f:
        return json.load(f)
def rate(name, r):
    d = run(name, r)
    if name.startswith("write"):
        # Calls that changed nothing wrote nothing: count the etcd writes made
        # (warm-up included, so scaled by the share of calls that wrote).
        return d["throughput_per_s"] * d["etcd_writes"] / max(1, d["total_calls"])
    return d["throughput_per_s"]
for label, target, base, goal, what in (
    ("etcd write", "write", "put", 0.70, "replica writes (Start/Stop that changed state) vs etcd Put"),
    ("etcd read", "read", "read_memory", 0.80, "replica GetSettings (cache) vs memory store"),
    ("etcd txn", "txn", "put", None, "etcd's own guarded Txn vs etcd Put (reference, no goal)"),
    ("etcd alone", "write_alone", "put", None,
     "replica writes with group commit off (--etcd_txns_in_flight=0) vs etcd Put (reference)"),
):
    ratios = [rate(target, r) / rate(base, r) for r in range(1, rounds + 1) if rate(base, r) > 0]
    t = statistics.median(rate(target, r) for r in range(1, rounds + 1))
    b = statistics.median(rate(base, r) for r in range(1, rounds + 1))
    ratio = statistics.median(ratios) if ratios else 0
    if goal is None:
        verdict = "no goal"
    else:
        verdict = f"goal >= {goal:.2f}: " + ("meets" if ratio >= goal else "below")
    print(f"{label:<11} {what}: {t:,.0f}/s vs {b:,.0f}/s = {ratio:.2f} "
          f"({verdict}; median of {len(ratios)} rounds)")
    if "cpu_ticks" in run(target, 1):
        # Warm-up included: CPU over every call the load made.
        def cpu_us(name):
            ticks = sum(run(name, r)["cpu_ticks"] for r in range(1, rounds + 1))
            calls = sum(run(name, r)["total_calls"] for r in range(1, rounds + 1))
            return ticks / run(name, 1)["ticks_per_s"] / max(1, calls) * 1e6
        ours, theirs = cpu_us(target), cpu_us(base)
        print(f"{'':<11} server CPU per call: {ours:.1f} us vs {theirs:.1f} us = "
              f"{ours / theirs if theirs else 0:.2f}x (all rounds)")
PY
