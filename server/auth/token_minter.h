// Mints HS256 tokens for local use (the dev keys, tests, `backinstockctl
// token`). Production tokens are minted by the platform's identity service; the
// server itself never mints.
#ifndef BACKINSTOCK_SERVER_AUTH_TOKEN_MINTER_H_
#define BACKINSTOCK_SERVER_AUTH_TOKEN_MINTER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backinstock::auth {

// Signs `claims_json` (a JSON object, used byte for byte as the payload) with
// `secret` under key id `kid`. The header is {"alg":"HS256","kid":...,"typ":"JWT"}.
// Signs with HMAC-SHA256 whatever header and payload it is given, byte for
// byte: tests use it to build tokens with unusual headers (crit, other algs).
absl::StatusOr<std::string> SignHs256(absl::string_view header_json, absl::string_view secret,
                                      absl::string_view payload_json);

absl::StatusOr<std::string> MintHs256(absl::string_view kid, absl::string_view secret,
                                      absl::string_view claims_json);

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_TOKEN_MINTER_H_
