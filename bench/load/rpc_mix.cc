#include "bench/load/rpc_mix.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace backinstock::bench {

absl::StatusOr<RpcMix> ParseRpcMix(absl::string_view text) {
  struct Weighted {
    CallKind kind;
    int weight;
    int current = 0;
  };
  std::vector<Weighted> entries;
  int total = 0;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    std::pair<absl::string_view, absl::string_view> name_weight =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    const auto kind = ParseCallKind(name_weight.first);
    if (!kind) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rpc: unknown call \"", name_weight.first,
                       "\"; known: ", absl::StrJoin(CallKindNames(), ", ")));
    }
    int weight = 1;
    if (!name_weight.second.empty() &&
        (!absl::SimpleAtoi(name_weight.second, &weight) || weight < 1 || weight > 1000)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rpc: weight of ", name_weight.first, " must be 1-1000"));
    }
    entries.push_back({*kind, weight});
    total += weight;
  }
  if (entries.empty()) return absl::InvalidArgumentError("--rpc names no call");

  RpcMix mix;
  mix.text = std::string(text);
  mix.cycle.reserve(total);
  for (int i = 0; i < total; ++i) {
    Weighted* best = nullptr;
    for (Weighted& entry : entries) {
      entry.current += entry.weight;
      if (best == nullptr || entry.current > best->current) best = &entry;
    }
    best->current -= total;
    mix.cycle.push_back(best->kind);
  }
  return mix;
}

}  // namespace backinstock::bench
