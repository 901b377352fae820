// The authorization decision for one call, from its method and its two
// headers. Pure: no gRPC types, no I/O; the interceptor feeds it and the gate
// enforces what it decided.
#ifndef BACKINSTOCK_SERVER_AUTH_AUTHORIZER_H_
#define BACKINSTOCK_SERVER_AUTH_AUTHORIZER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/auth/keys.h"
#include "server/auth/method_permissions.h"
#include "server/auth/token_verifier.h"

namespace backinstock::auth {

// Who is calling, once the call is admitted.
struct Caller {
  std::string site;
  std::string sub;
  Role role = Role::kVisitor;
  // True when the permission came from the elevation token, not the role.
  // (Who elevated, and with which token, is the audit's business: it reads
  // them from the Decision, so handlers get no copy of the claims.)
  bool elevated = false;
};

struct Decision {
  // OK when the call may proceed; otherwise the exact error to return.
  absl::Status status;
  // The permission the method needs ("" when it declares none).
  std::string permission;
  // Whatever was verified before the decision was reached (for the audit log).
  std::optional<IdentityClaims> identity;
  std::optional<ElevationClaims> elevation;
  bool elevated = false;
  // The key set the tokens were verified with, and the clock skew allowed:
  // what a long-lived stream needs to tell when its credentials lapse.
  std::shared_ptr<const Keys> keys;
  absl::Duration clock_skew;

  Caller ToCaller() const;
};

// The header values of one call (gRPC allows a key to repeat).
struct CallCredentials {
  std::vector<absl::string_view> authorization;
  std::vector<absl::string_view> elevation;
};

inline constexpr absl::string_view kAuthorizationHeader = "authorization";
inline constexpr absl::string_view kElevationHeader = "x-elevation-token";

class Authorizer {
 public:
  Authorizer(std::shared_ptr<const KeyRing> keys, MethodPermissions permissions,
             VerifierOptions options = {})
      : keys_(std::move(keys)), permissions_(std::move(permissions)), options_(options) {}

  // Whether calls to `method_path` go through authorization at all.
  bool IsGated(absl::string_view method_path) const {
    return permissions_.Lookup(method_path).gated;
  }

  // Decides a call to a gated method. Order: identity token, then the
  // elevation token when present (always verified, even where the role alone
  // would do), then the method's permission.
  Decision Decide(absl::string_view method_path, const CallCredentials& credentials,
                  absl::Time now) const;

  const MethodPermissions& permissions() const { return permissions_; }

 private:
  std::shared_ptr<const KeyRing> keys_;
  MethodPermissions permissions_;
  VerifierOptions options_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_AUTHORIZER_H_
