// Keys and token minting for tests: one identity key and one elevation key,
// fixed so that failures are reproducible.
#ifndef BACKINSTOCK_TESTS_SUPPORT_TEST_KEYS_H_
#define BACKINSTOCK_TESTS_SUPPORT_TEST_KEYS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/auth/keys.h"

namespace backinstock::testing {

inline constexpr char kIdentityKid[] = "test-identity";
inline constexpr char kElevationKid[] = "test-elevation";
// Secrets as raw bytes (>= 32 bytes).
inline constexpr char kIdentitySecret[] = "identity-secret-for-tests-0123456789abcdef";
inline constexpr char kElevationSecret[] = "elevation-secret-for-tests-0123456789abcdef";

// The keys above as a Keys value, and as keys-file JSON.
auth::Keys TestKeys();
std::string TestKeysJson();

// Claims of a valid identity token for `site` and `role`, valid for an hour.
nlohmann::json IdentityClaimsJson(absl::string_view site, absl::string_view role,
                                  absl::string_view sub = "test-user",
                                  absl::Time now = absl::Now());

// Claims of a valid elevation token for `site` granting `perms`, valid 60 s.
nlohmann::json ElevationClaimsJson(absl::string_view site, const std::vector<std::string>& perms,
                                   absl::string_view sub = "test-backend",
                                   absl::Time now = absl::Now());

// Signs claims with the identity / elevation test key (or any kid/secret).
std::string SignIdentity(const nlohmann::json& claims);
std::string SignElevation(const nlohmann::json& claims);
std::string Sign(absl::string_view kid, absl::string_view secret, const nlohmann::json& claims);

// Shorthands: a valid token for `site` and `role` / granting `perms`.
std::string IdentityToken(absl::string_view site, absl::string_view role);
std::string ElevationToken(absl::string_view site, const std::vector<std::string>& perms);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_TEST_KEYS_H_
