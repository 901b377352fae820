// Shared by the C++ client tests: options pointing at a test server, and
// matchers for the errors the client returns.
#ifndef BACKINSTOCK_TESTS_CLIENT_CLIENT_TEST_UTIL_H_
#define BACKINSTOCK_TESTS_CLIENT_CLIENT_TEST_UTIL_H_

#include <gmock/gmock.h>

#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backinstock/client/error.h"
#include "backinstock/client/options.h"

namespace backinstock::testing {

// Plaintext options for `address` with `identity_token`, and retries fast
// enough for tests.
inline client::ConnectionOptions OptionsFor(const std::string& address,
                                            const std::string& identity_token = "") {
  client::ConnectionOptions options;
  options.target = address;
  options.identity_token = identity_token;
  options.retry.initial_backoff = absl::Milliseconds(10);
  options.retry.max_backoff = absl::Milliseconds(50);
  return options;
}

// An absl::Status (or StatusOr) that failed with `code` and ErrorInfo `reason`
// in the service's domain.
MATCHER_P2(FailsWith, code, reason,
           absl::StrCat("fails with ", absl::StatusCodeToString(code), " / ", reason)) {
  const absl::Status status = [&] {
    if constexpr (std::is_same_v<std::decay_t<arg_type>, absl::Status>) {
      return arg;
    } else {
      return arg.status();
    }
  }();
  *result_listener << "status " << status;
  auto info = client::ErrorInfo(status);
  return status.code() == code && client::ErrorReason(status) == reason && info &&
         info->domain() == "backinstock.v1";
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_CLIENT_CLIENT_TEST_UTIL_H_
