// A load run's figures, as text for people or as one JSON object for scripts.
#ifndef BACKINSTOCK_BENCH_LOAD_REPORT_H_
#define BACKINSTOCK_BENCH_LOAD_REPORT_H_

#include <string>

#include "bench/load/load_run.h"
#include "nlohmann/json.hpp"

namespace backinstock::bench {

// {"target", "rpc", "channels", "in_flight", "sites", "warmup_s", "duration_s",
//  "calls", "total_calls" (warm-up included), "elapsed_s", "throughput_per_s", "errors",
//  "latency_ms": {"min", "mean", "p50", "p90", "p99", "p999", "max"},
//  "status": {"OK": n, ...}, "first_errors": {"CODE": "REASON: message"}}
nlohmann::json ReportJson(const LoadOptions& options, int sites, const LoadResult& result);

// A few lines: setup, throughput, latency percentiles, status counts, and the
// first failure of each error code.
std::string ReportText(const LoadOptions& options, int sites, const LoadResult& result);

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_REPORT_H_
