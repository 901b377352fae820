// Verifies identity and elevation tokens: compact JWS (RFC 7515/7519), key
// chosen by the `kid` header from the matching key set; HS256 when that key is
// a secret, ES256 when it is a public key (never the other way round, so a
// public key can never serve as an HMAC secret).
//
// Order matters: the signature is checked over the exact bytes received before
// any claim is read, so a forged token is TOKEN_INVALID whatever it claims.
#ifndef BACKINSTOCK_SERVER_AUTH_TOKEN_VERIFIER_H_
#define BACKINSTOCK_SERVER_AUTH_TOKEN_VERIFIER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/auth/keys.h"
#include "server/auth/permissions.h"

namespace backinstock::auth {

inline constexpr absl::string_view kIdentityAudience = "backinstock";
inline constexpr absl::string_view kElevationAudience = "backinstock-elevation";

// Longest accepted elevation token lifetime (exp - iat).
inline constexpr int64_t kMaxElevationLifetimeSeconds = 300;

// Longest accepted token, in bytes; longer ones are refused before any work.
inline constexpr size_t kMaxTokenBytes = 8192;

struct IdentityClaims {
  std::string sub;
  std::string site;
  Role role = Role::kVisitor;
  int64_t iat = 0;
  int64_t exp = 0;
  // The key that verified the token: a stream ends when a reload removes it.
  std::string kid;
};

struct ElevationClaims {
  std::string sub;
  std::string site;
  std::vector<std::string> perms;
  std::string jti;
  int64_t iat = 0;
  int64_t exp = 0;
  std::string kid;  // as in IdentityClaims
};

struct VerifierOptions {
  // Tolerated difference between the issuer's clock and ours, applied to exp,
  // nbf and iat (a token issued in the future is not valid yet).
  absl::Duration clock_skew = absl::ZeroDuration();
};

// UNAUTHENTICATED with reason TOKEN_INVALID (malformed, bad signature, unknown
// kid, wrong alg or audience, missing or mistyped claim, a NumericDate that is
// negative or after year 9999) or TOKEN_EXPIRED (expired, or not yet valid:
// `nbf` or `iat` ahead of the clock by more than the skew).
absl::StatusOr<IdentityClaims> VerifyIdentityToken(absl::string_view token, const KeySet& keys,
                                                   absl::Time now,
                                                   const VerifierOptions& options = {});

// PERMISSION_DENIED with reason ELEVATION_INVALID for every failure, including
// expiry and a lifetime over kMaxElevationLifetimeSeconds.
absl::StatusOr<ElevationClaims> VerifyElevationToken(absl::string_view token, const KeySet& keys,
                                                     absl::Time now,
                                                     const VerifierOptions& options = {});

// True for 1-64 characters of [A-Za-z0-9._-].
bool IsValidSiteId(absl::string_view site);

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_TOKEN_VERIFIER_H_
