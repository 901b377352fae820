#include "server/auth/authorizer.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/auth/token_cache.h"
#include "backinstock/errors/error.h"

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

}  // namespace

Caller Decision::ToCaller() const {
  Caller caller;
  if (identity) {
    caller.site = identity->site;
    caller.sub = identity->sub;
    caller.role = identity->role;
  }
  caller.elevation = elevation;
  caller.elevated = elevated;
  return caller;
}

Decision Authorizer::Decide(absl::string_view method_path, const CallCredentials& credentials,
                            absl::Time now) const {
  Decision decision;
  const MethodRule rule = permissions_.Lookup(method_path);
  decision.permission = rule.permission;
  std::shared_ptr<const Keys> keys = keys_->Current();
  decision.keys = keys;
  decision.clock_skew = options_.clock_skew;

  // 1. Identity.
  if (credentials.authorization.empty()) {
    decision.status = errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                                    "the call has no authorization header");
    return decision;
  }
  if (credentials.authorization.size() > 1) {
    decision.status = errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID",
                                    "the call has more than one authorization header");
    return decision;
  }
  std::optional<absl::string_view> token = BearerToken(credentials.authorization.front());
  if (!token) {
    decision.status = errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                                    "the authorization header is not \"Bearer <token>\"");
    return decision;
  }
  // Verified tokens are cached until they expire (token_cache.h): a caller
  // repeating its token skips the HMAC and the JSON parsing.
  absl::StatusOr<IdentityClaims> identity =
      VerifyIdentityTokenCached(SharedIdentityTokenCache(), *token, keys, now, options_);
  if (!identity.ok()) {
    decision.status = identity.status();
    return decision;
  }
  decision.identity = *std::move(identity);

  // 2. Elevation, whenever present.
  if (credentials.elevation.size() > 1) {
    decision.status = errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_INVALID",
                                    "the call has more than one x-elevation-token header");
    return decision;
  }
  if (!credentials.elevation.empty()) {
    absl::StatusOr<ElevationClaims> elevation = VerifyElevationTokenCached(
        SharedElevationTokenCache(), credentials.elevation.front(), keys, now, options_);
    if (!elevation.ok()) {
      decision.status = elevation.status();
      return decision;
    }
    decision.elevation = *std::move(elevation);
    if (decision.elevation->site != decision.identity->site) {
      decision.status = errors::Error(
          absl::StatusCode::kPermissionDenied, "ELEVATION_SITE_MISMATCH",
          absl::StrCat("the elevation token is for site \"", decision.elevation->site,
                       "\", the caller's site is \"", decision.identity->site, "\""));
      return decision;
    }
  }

  // 3. Permission.
  if (rule.permission.empty()) {
    decision.status =
        errors::Error(absl::StatusCode::kPermissionDenied, "PERMISSION_NOT_DECLARED",
                      absl::StrCat(method_path, " declares no permission and is refused"));
    return decision;
  }
  if (RoleHolds(decision.identity->role, rule.permission)) {
    decision.status = absl::OkStatus();
    return decision;
  }
  if (decision.elevation) {
    const auto& perms = decision.elevation->perms;
    if (std::find(perms.begin(), perms.end(), rule.permission) != perms.end()) {
      decision.elevated = true;
      decision.status = absl::OkStatus();
      return decision;
    }
    decision.status = errors::Error(
        absl::StatusCode::kPermissionDenied, "ELEVATION_INSUFFICIENT",
        absl::StrCat("the elevation token does not grant ", rule.permission),
        {{"permission", rule.permission}});
    return decision;
  }
  decision.status = errors::Error(
      absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED",
      absl::StrCat("role \"", RoleName(decision.identity->role), "\" lacks ", rule.permission,
                   "; elevate with an x-elevation-token"),
      {{"permission", rule.permission}});
  return decision;
}

}  // namespace backinstock::auth
