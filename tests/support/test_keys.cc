#include "tests/support/test_keys.h"

#include <atomic>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/auth/token_minter.h"

namespace backinstock::testing {

auth::Keys TestKeys() {
  auth::Keys keys;
  keys.identity.emplace(kIdentityKid, kIdentitySecret);
  keys.elevation.emplace(kElevationKid, kElevationSecret);
  return keys;
}

std::string TestKeysJson() {
  nlohmann::json root = {
      {"identity_keys", {{kIdentityKid, absl::WebSafeBase64Escape(kIdentitySecret)}}},
      {"elevation_keys", {{kElevationKid, absl::WebSafeBase64Escape(kElevationSecret)}}},
  };
  return root.dump(2);
}

nlohmann::json IdentityClaimsJson(absl::string_view site, absl::string_view role,
                                  absl::string_view sub, absl::Time now) {
  const int64_t t = absl::ToUnixSeconds(now);
  return {{"aud", "backinstock"},
          {"sub", std::string(sub)},
          {"site", std::string(site)},
          {"role", std::string(role)},
          {"iat", t},
          {"exp", t + 3600}};
}

nlohmann::json ElevationClaimsJson(absl::string_view site, const std::vector<std::string>& perms,
                                   absl::string_view sub, absl::Time now) {
  static std::atomic<int> counter{0};
  const int64_t t = absl::ToUnixSeconds(now);
  return {{"aud", "backinstock-elevation"},
          {"sub", std::string(sub)},
          {"site", std::string(site)},
          {"perms", perms},
          {"jti", absl::StrCat("jti-", counter++)},
          {"iat", t},
          {"exp", t + 60}};
}

std::string Sign(absl::string_view kid, absl::string_view secret, const nlohmann::json& claims) {
  return *auth::MintHs256(kid, secret, claims.dump());
}

std::string SignIdentity(const nlohmann::json& claims) {
  return Sign(kIdentityKid, kIdentitySecret, claims);
}

std::string SignElevation(const nlohmann::json& claims) {
  return Sign(kElevationKid, kElevationSecret, claims);
}

std::string IdentityToken(absl::string_view site, absl::string_view role) {
  return SignIdentity(IdentityClaimsJson(site, role));
}

std::string ElevationToken(absl::string_view site, const std::vector<std::string>& perms) {
  return SignElevation(ElevationClaimsJson(site, perms));
}

}  // namespace backinstock::testing
