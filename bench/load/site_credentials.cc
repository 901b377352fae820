#include "bench/load/site_credentials.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "server/auth/permissions.h"
#include "server/auth/token_minter.h"

namespace backinstock::bench {
namespace {

// The key with the smallest id, so that a run is reproducible.
const std::pair<const std::string, std::string>* FirstKey(const auth::KeySet& set) {
  const std::pair<const std::string, std::string>* first = nullptr;
  for (const auto& entry : set) {
    if (first == nullptr || entry.first < first->first) first = &entry;
  }
  return first;
}

}  // namespace

absl::StatusOr<std::vector<SiteCredentials>> MintSiteCredentials(const auth::Keys& keys, int sites,
                                                                 absl::string_view role,
                                                                 absl::Time now) {
  if (sites < 1) return absl::InvalidArgumentError("--sites must be at least 1");
  const auto* identity_key = FirstKey(keys.identity);
  const auto* elevation_key = FirstKey(keys.elevation);
  if (identity_key == nullptr)
    return absl::InvalidArgumentError("the keys file has no identity key");

  const int64_t iat = absl::ToUnixSeconds(now);
  const std::vector<std::string> elevated_perms = {std::string(auth::kSettingsModify),
                                                   std::string(auth::kRequestsRead),
                                                   std::string(auth::kRequestsModify)};
  std::vector<SiteCredentials> credentials;
  credentials.reserve(sites);
  for (int i = 0; i < sites; ++i) {
    SiteCredentials site;
    site.site = absl::StrFormat("%08x-be0c-4000-8000-%012x", i, i);
    const nlohmann::json identity = {
        {"aud", "backinstock"}, {"sub", absl::StrCat("bench-user-", i)},
        {"site", site.site},    {"role", std::string(role)},
        {"iat", iat},           {"exp", iat + absl::ToInt64Seconds(kIdentityLifetime)}};
    absl::StatusOr<std::string> token =
        auth::MintHs256(identity_key->first, identity_key->second, identity.dump());
    if (!token.ok()) return token.status();
    site.authorization = absl::StrCat("Bearer ", *token);
    if (elevation_key != nullptr) {
      const nlohmann::json elevation = {{"aud", "backinstock-elevation"},
                                        {"sub", "bench-backend"},
                                        {"site", site.site},
                                        {"perms", elevated_perms},
                                        {"jti", absl::StrCat("bench-", i)},
                                        {"iat", iat},
                                        {"exp", iat + absl::ToInt64Seconds(kElevationLifetime)}};
      absl::StatusOr<std::string> elevation_token =
          auth::MintHs256(elevation_key->first, elevation_key->second, elevation.dump());
      if (!elevation_token.ok()) return elevation_token.status();
      site.elevation = *std::move(elevation_token);
    }
    credentials.push_back(std::move(site));
  }
  return credentials;
}

}  // namespace backinstock::bench
