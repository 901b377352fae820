// The tokens a load run sends: one identity token per simulated site, and one
// elevation token per site granting what the role lacks. Minted once, before
// the run, from the same keys file the server reads, so the server verifies
// real signatures on every call.
#ifndef BACKINSTOCK_BENCH_LOAD_SITE_CREDENTIALS_H_
#define BACKINSTOCK_BENCH_LOAD_SITE_CREDENTIALS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/auth/keys.h"

namespace backinstock::bench {

struct SiteCredentials {
  std::string site;
  std::string authorization;  // "Bearer <identity token>"
  std::string elevation;      // an elevation token
};

// Identity tokens live this long; elevation tokens the spec's maximum, 300 s,
// which bounds how long a run with elevated calls can last.
inline constexpr absl::Duration kIdentityLifetime = absl::Hours(1);
inline constexpr absl::Duration kElevationLifetime = absl::Seconds(300);

// `sites` GUID-shaped site ids (Wix site ids are GUIDs, so headers have their
// real size), each with an identity token of `role` and an elevation token
// granting every permission a visitor lacks. Signed with the first key of each
// set (in key id order).
absl::StatusOr<std::vector<SiteCredentials>> MintSiteCredentials(const auth::Keys& keys, int sites,
                                                                 absl::string_view role,
                                                                 absl::Time now);

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_SITE_CREDENTIALS_H_
