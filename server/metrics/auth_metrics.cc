#include "server/metrics/auth_metrics.h"

namespace backinstock::metrics {
namespace {

constexpr char kName[] = "backinstock_auth_denied_total";
constexpr char kHelp[] = "Calls refused by authorization, by ErrorInfo reason.";

}  // namespace

AuthMetrics::AuthMetrics(Registry& registry)
    : other_(registry.AddCounter(kName, kHelp, {{"reason", "OTHER"}})) {
  for (size_t i = 0; i < kReasons.size(); ++i) {
    by_reason_[i] = registry.AddCounter(kName, kHelp, {{"reason", std::string(kReasons[i])}});
  }
}

void AuthMetrics::Denied(absl::string_view reason) const {
  for (size_t i = 0; i < kReasons.size(); ++i) {
    if (kReasons[i] == reason) {
      by_reason_[i]->Increment();
      return;
    }
  }
  other_->Increment();
}

}  // namespace backinstock::metrics
