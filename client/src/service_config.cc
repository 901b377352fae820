#include "client/src/service_config.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/src/idempotency.h"

namespace backinstock::client::internal {
namespace {

// gRPC reads durations as decimal seconds with an "s" suffix.
std::string Seconds(absl::Duration d) {
  return absl::StrFormat("%.3fs", std::max(0.001, absl::ToDoubleSeconds(d)));
}

}  // namespace

std::string RetryServiceConfig(const RetryPolicy& policy) {
  if (policy.max_attempts < 2) return "{}";
  std::vector<std::string> names;
  for (const MethodIdempotency& m : IdempotencyTable()) {
    if (!m.idempotent) continue;
    // Service and method names are proto identifiers: no JSON escaping needed.
    names.push_back(
        absl::StrCat(R"({"service":")", m.service, R"(","method":")", m.method, R"("})"));
  }
  // gRPC caps maxAttempts at 5 itself; clamping here keeps the config honest.
  const int attempts = std::min(policy.max_attempts, 5);
  return absl::StrCat(R"({"methodConfig":[{"name":[)", absl::StrJoin(names, ","),
                      R"(],"retryPolicy":{"maxAttempts":)", attempts, R"(,"initialBackoff":")",
                      Seconds(policy.initial_backoff), R"(","maxBackoff":")",
                      Seconds(policy.max_backoff), R"(","backoffMultiplier":)",
                      absl::StrFormat("%g", std::max(1.0, policy.backoff_multiplier)),
                      R"(,"retryableStatusCodes":["UNAVAILABLE"]}}]})");
}

}  // namespace backinstock::client::internal
