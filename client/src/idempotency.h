// Which RPCs may be retried: the one table of idempotency, covering every
// method of every service (a test checks it against the proto descriptors).
// Only the methods marked idempotent get the retry policy in the channel's
// service config; the others fail on the first UNAVAILABLE.
#ifndef BACKINSTOCK_CLIENT_SRC_IDEMPOTENCY_H_
#define BACKINSTOCK_CLIENT_SRC_IDEMPOTENCY_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace backinstock::client::internal {

struct MethodIdempotency {
  absl::string_view service;  // full name, "backinstock.v1.BackInStockSettingsService"
  absl::string_view method;   // "GetSettings"
  bool idempotent;
};

absl::Span<const MethodIdempotency> IdempotencyTable();

}  // namespace backinstock::client::internal

#endif  // BACKINSTOCK_CLIENT_SRC_IDEMPOTENCY_H_
