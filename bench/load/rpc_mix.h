// Which calls a load run makes and in what proportion: "get_settings", or
// "start_collecting=1,stop_collecting=1", or "get_settings=9,start_collecting=1".
#ifndef BACKINSTOCK_BENCH_LOAD_RPC_MIX_H_
#define BACKINSTOCK_BENCH_LOAD_RPC_MIX_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/load/call_kinds.h"

namespace backinstock::bench {

struct RpcMix {
  // The mix as given, for reports.
  std::string text;
  // One period of the call sequence: each kind appears as often as its weight,
  // spread out evenly (smooth weighted round robin), so any window of calls
  // holds close to the intended proportions.
  std::vector<CallKind> cycle;
};

// Parses "kind[=weight],..." with weights 1-1000.
absl::StatusOr<RpcMix> ParseRpcMix(absl::string_view text);

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_RPC_MIX_H_
