// backinstock_auth_denied_total{reason}: calls refused by authorization, by
// ErrorInfo reason. The reasons are a fixed list; anything else counts as
// OTHER, so the label stays bounded whatever the authorizer grows.
#ifndef BACKINSTOCK_SERVER_METRICS_AUTH_METRICS_H_
#define BACKINSTOCK_SERVER_METRICS_AUTH_METRICS_H_

#include <array>

#include "absl/strings/string_view.h"
#include "server/metrics/registry.h"

namespace backinstock::metrics {

class AuthMetrics {
 public:
  static constexpr std::array<absl::string_view, 8> kReasons = {
      "TOKEN_MISSING",          "TOKEN_INVALID",          "TOKEN_EXPIRED",
      "ELEVATION_REQUIRED",     "ELEVATION_INVALID",      "ELEVATION_SITE_MISMATCH",
      "ELEVATION_INSUFFICIENT", "PERMISSION_NOT_DECLARED"};

  explicit AuthMetrics(Registry& registry);

  // One denied call; a linear scan of a few constants, no lock.
  void Denied(absl::string_view reason) const;

 private:
  std::array<Counter*, kReasons.size()> by_reason_;
  Counter* other_;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_AUTH_METRICS_H_
