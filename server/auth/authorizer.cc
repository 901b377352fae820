#include "server/auth/authorizer.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "server/auth/token_cache.h"

namespace backinstock::auth {
namespace {

constexpr absl::string_view kBearer = "bearer ";

// The token of an `authorization: Bearer <token>` value; the scheme is
// case-insensitive (RFC 7235), the token is taken as it is.
std::optional<absl::string_view> BearerToken(absl::string_view value) {
  if (value.size() < kBearer.size()) return std::nullopt;
  if (!absl::EqualsIgnoreCase(value.substr(0, kBearer.size()), kBearer)) return std::nullopt;
  return value.substr(kBearer.size());
}

// The caller's identity, from exactly one `Bearer` authorization
// header; sets `decision.identity`.
absl::Status VerifyIdentity(const std::vector<absl::string_view>& authorization,
                            const std::shared_ptr<const Keys>& keys, absl::Time now,
                            const VerifierOptions& options, Decision& decision) {
  if (authorization.empty()) {
    return errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                         "the call has no authorization header");
  }
  if (authorization.size() > 1) {
    return errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID",
                         "the call has more than one authorization header");
  }
  std::optional<absl::string_view> token = BearerToken(authorization.front());
  if (!token) {
    return errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                         "the authorization header is not \"Bearer <token>\"");
  }
  // Verified tokens are cached until they expire (token_cache.h): a caller
  // repeating its token skips the HMAC and the JSON parsing.
  absl::StatusOr<IdentityClaims> identity =
      VerifyIdentityTokenCached(SharedIdentityTokenCache(), *token, keys, now, options);
  if (!identity.ok()) return identity.status();
  decision.identity = *std::move(identity);
  return absl::OkStatus();
}

// The elevation token, verified whenever present (even where the
// role alone would do), and only for the caller's own site; sets
// `decision.elevation`.
absl::Status VerifyElevation(const std::vector<absl::string_view>& elevation,
                             const std::shared_ptr<const Keys>& keys, absl::Time now,
                             const VerifierOptions& options, Decision& decision) {
  if (elevation.size() > 1) {
    return errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_INVALID",
                         "the call has more than one x-elevation-token header");
  }
  if (elevation.empty()) return absl::OkStatus();
  absl::StatusOr<ElevationClaims> claims = VerifyElevationTokenCached(
      SharedElevationTokenCache(), elevation.front(), keys, now, options);
  if (!claims.ok()) return claims.status();
  decision.elevation = *std::move(claims);
  if (decision.elevation->site != decision.identity->site) {
    return errors::Error(
        absl::StatusCode::kPermissionDenied, "ELEVATION_SITE_MISMATCH",
        absl::StrCat("the elevation token is for site \"", decision.elevation->site,
                     "\", the caller's site is \"", decision.identity->site, "\""));
  }
  return absl::OkStatus();
}

// The method's permission, from the caller's role, else from the
// elevation grant (then `decision.elevated`).
absl::Status CheckPermission(absl::string_view method_path, absl::string_view permission,
                             Decision& decision) {
  if (permission.empty()) {
    return errors::Error(absl::StatusCode::kPermissionDenied, "PERMISSION_NOT_DECLARED",
                         absl::StrCat(method_path, " declares no permission and is refused"));
  }
  if (RoleHolds(decision.identity->role, permission)) return absl::OkStatus();
  if (decision.elevation) {
    const auto& perms = decision.elevation->perms;
    if (std::find(perms.begin(), perms.end(), permission) != perms.end()) {
      decision.elevated = true;
      return absl::OkStatus();
    }
    return errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_INSUFFICIENT",
                         absl::StrCat("the elevation token does not grant ", permission),
                         {{"permission", permission}});
  }
  return errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED",
                       absl::StrCat("role \"", RoleName(decision.identity->role), "\" lacks ",
                                    permission, "; elevate with an x-elevation-token"),
                       {{"permission", permission}});
}

}  // namespace

Caller Decision::ToCaller() const {
  Caller caller;
  if (identity) {
    caller.site = identity->site;
    caller.sub = identity->sub;
    caller.role = identity->role;
  }
  caller.elevated = elevated;
  return caller;
}

Decision Authorizer::Decide(absl::string_view method_path, const CallCredentials& credentials,
                            absl::Time now) const {
  Decision decision;
  const MethodRule rule = permissions_.Lookup(method_path);
  decision.permission = std::string(rule.permission);
  std::shared_ptr<const Keys> keys = keys_->Current();
  decision.keys = keys;
  decision.clock_skew = options_.clock_skew;
  // Each step runs only once the one before it admitted the caller.
  decision.status = VerifyIdentity(credentials.authorization, keys, now, options_, decision);
  if (decision.status.ok()) {
    decision.status = VerifyElevation(credentials.elevation, keys, now, options_, decision);
  }
  if (decision.status.ok())
    decision.status = CheckPermission(method_path, rule.permission, decision);
  return decision;
}

}  // namespace backinstock::auth
