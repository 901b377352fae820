#include "server/auth/token_minter.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace backinstock::auth {

// The payload is encoded exactly as given (libjwt would re-serialise it and
// could not express the malformed claims that tests need), and the signature is
// OpenSSL's HMAC-SHA256 over header.payload, the JWS signing input.
absl::StatusOr<std::string> MintHs256(absl::string_view kid, absl::string_view secret,
                                      absl::string_view claims_json) {
  nlohmann::json header = {{"alg", "HS256"}, {"kid", std::string(kid)}, {"typ", "JWT"}};
  return SignHs256(header.dump(), secret, claims_json);
}

absl::StatusOr<std::string> SignHs256(absl::string_view header_json, absl::string_view secret,
                                      absl::string_view payload_json) {
  std::string signing_input = absl::StrCat(absl::WebSafeBase64Escape(header_json), ".",
                                           absl::WebSafeBase64Escape(payload_json));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
           &mac_len) == nullptr) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  return absl::StrCat(
      signing_input, ".",
      absl::WebSafeBase64Escape(absl::string_view(reinterpret_cast<const char*>(mac), mac_len)));
}

}  // namespace backinstock::auth
