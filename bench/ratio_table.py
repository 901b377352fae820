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


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ratio_table.py RESULTS_DIR")
    out = sys.argv[1]
    print("\n".join(load_table(out)))
    print(metrics_cost_line(out))
    print(memory_line(out))
    print("\n".join(micro_lines(out)))


if __name__ == "__main__":
    main()
