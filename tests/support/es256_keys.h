// ES256 key pairs made at test time (OpenSSL) and tokens signed with them
// (libjwt), for tests of asymmetric token verification.
#ifndef BACKINSTOCK_TESTS_SUPPORT_ES256_KEYS_H_
#define BACKINSTOCK_TESTS_SUPPORT_ES256_KEYS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace backinstock::testing {

struct KeyPair {
  std::string private_pem;  // PKCS#8
  std::string public_pem;   // SubjectPublicKeyInfo, what the keys file holds
};

// A fresh key pair on `curve` ("P-256" for ES256; others to test refusals).
KeyPair MakeEcKeyPair(const char* curve = "P-256");
// An RSA key pair (must be refused as an ES256 key).
KeyPair MakeRsaKeyPair();

// A compact ES256 JWS of `claims` with header kid `kid`.
std::string SignEs256(absl::string_view kid, const std::string& private_pem,
                      const nlohmann::json& claims);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_ES256_KEYS_H_
