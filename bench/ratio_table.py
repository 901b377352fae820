#!/usr/bin/python3
"""Prints the ratio table of a bench/run.sh results directory.

For each load scenario: the median over rounds of the baseline's and our
throughput (successful calls per second) and p99 latency, the server CPU time
per call (all rounds' CPU time over all their calls, warm-up included), the
ratios ours / baseline, and whether the issue's target is met. Then the memory
per site and the micro-benchmarks. A scenario with failed calls is reported as
invalid, never as a result.
"""
import glob
import json
import os
import re
import statistics
import sys

# scenario -> (minimum throughput ratio, maximum p99 ratio or None, description)
TARGETS = {
    "get_settings": (0.90, 1.25, "thr >= 0.90, p99 <= 1.25x"),
    "get_settings_metrics": (0.90, None, "thr >= 0.90 (metrics on)"),
    "start_collecting_elevated": (0.85, None, "thr >= 0.85"),
    "start_stop_elevated": (None, None, "(no target)"),
    "start_stop_durable": (0.40, None, "thr >= 0.40"),
    "create_request": (None, None, "(no target)"),
    "query_requests": (None, None, "(no target)"),
    "count_requests": (None, None, "(no target)"),
}
MEMORY_TARGET_BYTES = 200


def load_runs(out, scenario, side):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, "runs", f"{scenario}.*.{side}.json"))):
        with open(path) as f:
            runs.append(json.load(f))
    return runs


def summarize(runs):
    loads = [r["load"] for r in runs]
    ticks = sum(r["cpu_ticks"] for r in runs)
    per_s = runs[0]["ticks_per_s"]
    calls = sum(l["total_calls"] for l in loads)
    return {
        "throughput": statistics.median(l["throughput_per_s"] for l in loads),
        "p99": statistics.median(l["latency_ms"]["p99"] for l in loads),
        "cpu_us": ticks / per_s * 1e6 / calls if calls else float("nan"),
        "errors": sum(l["errors"] for l in loads),
        "first_errors": {k: v for l in loads for k, v in l["first_errors"].items()},
    }


def verdict(scenario, thr_ratio, p99_ratio):
    min_thr, max_p99, _ = TARGETS.get(scenario, (None, None, ""))
    if min_thr is None and max_p99 is None:
        return "-"
    met = (min_thr is None or thr_ratio >= min_thr) and (max_p99 is None or p99_ratio <= max_p99)
    return "met" if met else "NOT met"


def load_table(out):
    header = (f"{'scenario':<27} {'calls/s base':>12} {'ours':>7} {'ratio':>6}   "
              f"{'p99 ms base':>11} {'ours':>6} {'ratio':>6}   "
              f"{'CPU us/call base':>16} {'ours':>6} {'ratio':>6}   {'target':<26} result")
    lines = [header]
    for scenario in TARGETS:
        base_runs = load_runs(out, scenario, "baseline")
        ours_runs = load_runs(out, scenario, "target")
        if not base_runs or not ours_runs:
            reason = "not measured"
            path = os.path.join(out, "durable.unavailable")
            if scenario.endswith("_durable") and os.path.exists(path):
                with open(path) as f:
                    reason += ": " + f.read().strip()
            lines.append(f"{scenario:<27} {reason}")
            continue
        base, ours = summarize(base_runs), summarize(ours_runs)
        if base["errors"] or ours["errors"]:
            lines.append(f"{scenario:<27} INVALID: failed calls (baseline {base['errors']}, "
                         f"ours {ours['errors']}): {base['first_errors'] or ours['first_errors']}")
            continue
        thr = ours["throughput"] / base["throughput"]
        p99 = ours["p99"] / base["p99"]
        cpu = ours["cpu_us"] / base["cpu_us"]
        lines.append(
            f"{scenario:<27} {base['throughput']:>12.0f} {ours['throughput']:>7.0f} {thr:>6.2f}   "
            f"{base['p99']:>11.2f} {ours['p99']:>6.2f} {p99:>6.2f}   "
            f"{base['cpu_us']:>16.1f} {ours['cpu_us']:>6.1f} {cpu:>6.2f}   "
            f"{TARGETS[scenario][2]:<26} {verdict(scenario, thr, p99)}")
    return lines


def metrics_cost_line(out):
    """GetSettings with metrics on against the same server with them off."""
    off, on = (load_runs(out, s, "target") for s in ("get_settings", "get_settings_metrics"))
    if not off or not on:
        return "metrics cost: not measured"
    off, on = summarize(off), summarize(on)
    return (f"metrics cost (GetSettings, on / off): throughput {on['throughput']:.0f} / "
            f"{off['throughput']:.0f} = {on['throughput'] / off['throughput']:.2f}, "
            f"CPU per call {on['cpu_us']:.1f} / {off['cpu_us']:.1f} us = "
            f"{on['cpu_us'] / off['cpu_us']:.2f}")


def memory_line(out):
    path = os.path.join(out, "memory.json")
    if not os.path.exists(path):
        return "memory: not measured"
    with open(path) as f:
        m = json.load(f)
    per_site = m["bytes_per_site"]
    result = "met" if per_site <= MEMORY_TARGET_BYTES else "NOT met"
    return (f"memory: {m['sites']} sites with one app each: {per_site:.1f} bytes per site "
            f"(RSS delta; target <= {MEMORY_TARGET_BYTES}): {result}")


def micro_lines(out):
    lines = ["micro-benchmarks (per operation: wall time, and CPU time of the calling thread):"]
    for name in ("micro-auth.json", "micro-store.json", "micro-query.json", "micro-metrics.json"):
        path = os.path.join(out, name)
        if not os.path.exists(path):
            lines.append(f"  {name}: not measured")
            continue
        with open(path) as f:
            data = json.load(f)
        for b in data["benchmarks"]:
            if b.get("error_occurred"):
                lines.append(f"  {b['name']:<58} ERROR: {b.get('error_message', '')}")
                continue
            extra = f"  conflicts {b['conflicts']:.0f}" if "conflicts" in b else ""
            lines.append(f"  {b['name']:<58} {b['real_time']:>8.0f} {b['time_unit']} wall"
                         f" {b['cpu_time']:>8.0f} {b['time_unit']} CPU{extra}")
    return lines


# The light client's (h2load) scenarios and targets: scenario -> (minimum
# throughput ratio, maximum p99 ratio or None, description).
LIGHT_TARGETS = {
    "get_settings": (0.90, 1.25, "thr >= 0.90, p99 <= 1.25x"),
    "get_settings_metrics": (0.90, None, "thr >= 0.90 (metrics on)"),
    "start_collecting_elevated": (0.85, None, "thr >= 0.85"),
    "start_stop_durable": (0.50, None, "thr >= 0.50"),
    "query_requests": (0.35, None, "thr >= 0.35"),
    "count_requests": (0.80, None, "thr >= 0.80"),
    "create_request": (0.70, None, "thr >= 0.70"),
}


def light_run(path):
    """One h2load (or backinstock-bench-h2) run: throughput, p99 (ms) from its per-request
    log, CPU us per call."""
    with open(path) as f:
        meta = json.load(f)
    with open(path + ".out") as f:
        text = f.read()
    rps = float(re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", text).group(1))
    counts = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                       r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    succeeded = int(counts.group(4))
    bad = sum(int(counts.group(i)) for i in (5, 6, 7))
    elapsed, not_ok = [], 0
    with open(path + ".log") as f:
        for line in f:
            fields = line.split("\t")
            if len(fields) < 3:
                continue
            if fields[1] != "200":
                not_ok += 1
            elapsed.append(int(fields[2]))
    elapsed.sort()
    p99 = elapsed[min(len(elapsed) - 1, int(len(elapsed) * 0.99))] / 1000 if elapsed else 0.0
    cpu = meta["cpu_ticks"] / meta["ticks_per_s"] * 1e6 / succeeded if succeeded else float("nan")
    return {"rps": rps, "p99": p99, "cpu_us": cpu, "bad": bad + not_ok,
            "succeeded": succeeded, "ok_counted": meta.get("ok_calls_counted", -1)}


def spread(values, fmt):
    return f"{fmt.format(min(values))}-{fmt.format(max(values))}"


def light_table(out):
    lines = [f"light client (h2load -c 10 -m 5 -t 1; per-round ratios ours / baseline, median "
             f"and range over rounds; 'floor' is the bare server plus a pass-through "
             f"interceptor, bench/baseline --interceptor, answering a Noop that moves as many "
             f"bytes both ways as our call):",
             f"{'scenario':<27} {'req/s base':>10} {'floor':>6} {'ours':>6} {'ratio':>5} "
             f"{'range':>9} {'/floor':>6} {'range':>9}   {'p99 ratio':>9} {'range':>9}   "
             f"{'CPU us/call base':>16} {'floor':>6} {'ours':>6} {'ratio':>5} {'range':>9}   "
             f"{'target':<26} result"]
    notes = []
    for scenario, (min_thr, max_p99, description) in LIGHT_TARGETS.items():
        rounds = []
        for base_path in sorted(glob.glob(os.path.join(out, "light", f"{scenario}.*.baseline.json"))):
            ours_path = base_path.replace(".baseline.json", ".target.json")
            floor_path = base_path.replace(".baseline.json", ".interceptor.json")
            if os.path.exists(ours_path) and os.path.exists(floor_path):
                rounds.append((light_run(base_path), light_run(floor_path), light_run(ours_path)))
        if not rounds:
            lines.append(f"{scenario:<27} not measured")
            continue
        bad = sum(b["bad"] + f["bad"] + o["bad"] for b, f, o in rounds)
        if bad:
            lines.append(f"{scenario:<27} INVALID: {bad} calls failed or not HTTP 200")
            continue
        thr = [o["rps"] / b["rps"] for b, _, o in rounds]
        thr_floor = [o["rps"] / f["rps"] for _, f, o in rounds]
        p99 = [o["p99"] / b["p99"] for b, _, o in rounds]
        cpu = [o["cpu_us"] / b["cpu_us"] for b, _, o in rounds]
        med = statistics.median
        met = ((min_thr is None or med(thr) >= min_thr) and
               (max_p99 is None or med(p99) <= max_p99))
        lines.append(
            f"{scenario:<27} {med(b['rps'] for b, _, _ in rounds):>10.0f} "
            f"{med(f['rps'] for _, f, _ in rounds):>6.0f} {med(o['rps'] for _, _, o in rounds):>6.0f} "
            f"{med(thr):>5.2f} {spread(thr, '{:.2f}'):>9} {med(thr_floor):>6.2f} "
            f"{spread(thr_floor, '{:.2f}'):>9}   "
            f"{med(p99):>9.2f} {spread(p99, '{:.2f}'):>9}   "
            f"{med(b['cpu_us'] for b, _, _ in rounds):>16.1f} "
            f"{med(f['cpu_us'] for _, f, _ in rounds):>6.1f} "
            f"{med(o['cpu_us'] for _, _, o in rounds):>6.1f} "
            f"{med(cpu):>5.2f} {spread(cpu, '{:.2f}'):>9}   {description:<26} "
            f"{'met' if met else 'NOT met'}")
        counted = [(o["ok_counted"], o["succeeded"]) for _, _, o in rounds if o["ok_counted"] >= 0]
        if counted:
            notes.append(f"  {scenario}: the server counted "
                         f"{', '.join(f'{c} OK for {s} h2load successes' for c, s in counted)}")
    if glob.glob(os.path.join(out, "light", "create_request.*.target.json")):
        lines.append("create_request: by backinstock-bench-h2 (same -c, -m and -t; every create a "
                     "new email) on all three servers, where h2load sends one fixed body")
    if notes:
        lines.append("gRPC status check (grpc_server_handled_total{grpc_code=\"OK\"} delta):")
        lines.extend(notes)
    return lines


def main():
    args = sys.argv[1:]
    only = args[0] if args[:1] in (["--light"], ["--load"]) else ""
    if only:
        args = args[1:]
    if len(args) != 1:
        sys.exit("usage: ratio_table.py [--light | --load] RESULTS_DIR")
    out = args[0]
    print("\n".join(light_table(out)))
    if only == "--light":
        return
    print("the gRPC C++ load generator (bench/load):")
    print("\n".join(load_table(out)))
    if only == "--load":
        print(metrics_cost_line(out))
        return
    print(metrics_cost_line(out))
    print(memory_line(out))
    print("\n".join(micro_lines(out)))


if __name__ == "__main__":
    main()
