// One load run: `in_flight` lanes, each keeping exactly one call outstanding
// and starting the next as soon as the previous completes (a closed loop),
// spread over `channels` connections. Calls started during the warm-up are
// made but not measured; the measurement then runs for `duration`, or for
// `calls` calls when that is set.
#ifndef BACKINSTOCK_BENCH_LOAD_LOAD_RUN_H_
#define BACKINSTOCK_BENCH_LOAD_LOAD_RUN_H_

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load/latency_histogram.h"
#include "bench/load/rpc_mix.h"
#include "bench/load/site_credentials.h"

namespace backinstock::bench {

struct LoadOptions {
  std::string target;  // host:port
  RpcMix mix;
  int channels = 4;
  int in_flight = 50;
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(5);
  int64_t calls = 0;  // > 0: measure this many calls; the duration is then ignored
  absl::Duration deadline = absl::Seconds(10);
  std::string app_id;  // for start/stop_collecting; the catalog app of create/count_requests
};

// gRPC status codes run from 0 (OK) to 16 (UNAUTHENTICATED).
inline constexpr int kStatusCodes = 17;

struct LoadResult {
  // Measured calls (started after the warm-up), whatever their status.
  int64_t calls = 0;
  // Every call completed, warm-up included: what the server did in all.
  int64_t total_calls = 0;
  // From the end of the warm-up to the last measured completion.
  double elapsed_seconds = 0;
  // Latency of every measured call, failed ones included.
  LatencyHistogram latency;
  std::array<int64_t, kStatusCodes> codes{};
  // The first failure seen of each non-OK code: "REASON: message".
  std::map<int, std::string> first_errors;

  int64_t errors() const { return calls - codes[0]; }
  // Successful calls per second: failed calls are never counted as throughput.
  double throughput() const { return elapsed_seconds > 0 ? codes[0] / elapsed_seconds : 0; }
};

// Connects every channel first (failing if the target does not answer within
// 10 s), then runs the load and returns what it measured.
absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options,
                                   const std::vector<SiteCredentials>& sites);

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_LOAD_RUN_H_
