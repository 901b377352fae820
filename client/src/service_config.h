// The channel's default service config: the retry policy applied to exactly
// the idempotent methods of the idempotency table, for UNAVAILABLE only.
#ifndef BACKINSTOCK_CLIENT_SRC_SERVICE_CONFIG_H_
#define BACKINSTOCK_CLIENT_SRC_SERVICE_CONFIG_H_

#include <string>

#include "backinstock/client/options.h"

namespace backinstock::client::internal {

// The service config JSON; an empty config ("{}") when `policy` allows a
// single attempt.
std::string RetryServiceConfig(const RetryPolicy& policy);

}  // namespace backinstock::client::internal

#endif  // BACKINSTOCK_CLIENT_SRC_SERVICE_CONFIG_H_
