#include "server/auth/token_verifier.h"

#include <jwt.h>

#include <memory>
#include <optional>
#include <variant>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "nlohmann/json.hpp"

namespace backinstock::auth {
namespace {

using nlohmann::json;

// Why a token failed, before it is mapped to the caller-facing reason.
enum class Failure { kInvalid, kExpired };

struct Rejection {
  Failure failure;
  std::string detail;
};

template <typename T>
using Verified = std::variant<T, Rejection>;

Rejection Invalid(std::string detail) { return {Failure::kInvalid, std::move(detail)}; }
Rejection Expired(std::string detail) { return {Failure::kExpired, std::move(detail)}; }

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::optional<json> DecodeJsonObject(absl::string_view segment) {
  std::string bytes;
  if (!absl::WebSafeBase64Unescape(segment, &bytes)) return std::nullopt;
  json value = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  return value;
}

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};

// A token whose signature verified: its claims object and the key's id.
struct Signed {
  json claims;
  std::string kid;
};

// Checks the compact form, the header and the signature (HS256 or ES256, as
// the key says); only then decodes and returns the claims object.
Verified<Signed> VerifySignature(absl::string_view token, const KeySet& keys) {
  if (token.empty()) return Invalid("token is empty");
  if (token.size() > kMaxTokenBytes) return Invalid("token is too long");
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Invalid("token is not a compact JWS of three parts");
  for (absl::string_view part : parts) {
    if (part.empty()) return Invalid("token has an empty part");
    for (char c : part) {
      if (!IsBase64UrlChar(c)) return Invalid("token is not base64url");
    }
  }

  std::optional<json> header = DecodeJsonObject(parts[0]);
  if (!header) return Invalid("token header is not a JSON object");
  auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string() ||
      (alg->get<std::string>() != "HS256" && alg->get<std::string>() != "ES256")) {
    return Invalid("token alg must be HS256 or ES256");
  }
  if (header->contains("crit")) return Invalid("token header has crit, which is not supported");
  auto kid = header->find("kid");
  if (kid == header->end() || !kid->is_string()) return Invalid("token header has no kid");
  auto key = keys.find(kid->get<std::string>());
  if (key == keys.end()) return Invalid("token kid names no known key");
  // The key decides the algorithm; the header must agree with it.
  const bool es256 = IsPublicKeyPem(key->second);
  if (alg->get<std::string>() != (es256 ? "ES256" : "HS256")) {
    return Invalid(es256 ? "token kid names an ES256 key but alg is not ES256"
                         : "token kid names an HS256 key but alg is not HS256");
  }

  // libjwt recomputes the HMAC over the received header.payload bytes and
  // compares it in constant time (Debian's fix for CVE-2024-25189), or checks
  // the ECDSA signature over them with OpenSSL.
  std::string terminated(token);
  jwt_t* raw = nullptr;
  int rc = jwt_decode(&raw, terminated.c_str(),
                      reinterpret_cast<const unsigned char*>(key->second.data()),
                      static_cast<int>(key->second.size()));
  std::unique_ptr<jwt_t, JwtDeleter> decoded(raw);
  if (rc != 0 || !decoded ||
      jwt_get_alg(decoded.get()) != (es256 ? JWT_ALG_ES256 : JWT_ALG_HS256)) {
    return Invalid("token signature does not verify");
  }

  std::optional<json> claims = DecodeJsonObject(parts[1]);
  if (!claims) return Invalid("token payload is not a JSON object");
  return Signed{*std::move(claims), key->first};
}

std::optional<std::string> StringClaim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Latest NumericDate accepted: 9999-12-31T23:59:59Z. With dates in
// [0, kMaxNumericDate], differences and sums with the clock skew cannot
// overflow, and a date beyond it can only be a forgery's trick or a bug.
constexpr int64_t kMaxNumericDate = 253'402'300'799;

std::optional<int64_t> IntegerClaim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_integer() && !it->is_number_unsigned()) return it->get<int64_t>();
  if (it->is_number_unsigned() && it->get<uint64_t>() <= uint64_t{INT64_MAX}) {
    return static_cast<int64_t>(it->get<uint64_t>());
  }
  return std::nullopt;
}

// An integer NumericDate in [0, kMaxNumericDate]; nullopt otherwise.
std::optional<int64_t> NumericDateClaim(const json& claims, const char* name) {
  std::optional<int64_t> value = IntegerClaim(claims, name);
  if (!value || *value < 0 || *value > kMaxNumericDate) return std::nullopt;
  return value;
}

struct CommonClaims {
  std::string sub;
  std::string site;
  int64_t iat = 0;
  int64_t exp = 0;
};

// Claims both token kinds share: aud, sub, site, iat, exp and optional nbf.
Verified<CommonClaims> CheckCommonClaims(const json& claims, absl::string_view audience,
                                         absl::Time now, const VerifierOptions& options) {
  std::optional<std::string> aud = StringClaim(claims, "aud");
  if (!aud) return Invalid("aud claim is missing or not a string");
  if (*aud != audience) return Invalid(absl::StrCat("aud claim must be \"", audience, "\""));
  CommonClaims common;
  std::optional<std::string> sub = StringClaim(claims, "sub");
  if (!sub || sub->empty()) return Invalid("sub claim is missing, empty or not a string");
  common.sub = *std::move(sub);
  std::optional<std::string> site = StringClaim(claims, "site");
  if (!site || !IsValidSiteId(*site)) {
    return Invalid("site claim is missing or not 1-64 of [A-Za-z0-9._-]");
  }
  common.site = *std::move(site);
  std::optional<int64_t> iat = NumericDateClaim(claims, "iat");
  if (!iat) return Invalid("iat claim is missing or not an integer NumericDate in range");
  std::optional<int64_t> exp = NumericDateClaim(claims, "exp");
  if (!exp) return Invalid("exp claim is missing or not an integer NumericDate in range");
  if (*exp <= *iat) return Invalid("exp claim is not after iat");
  common.iat = *iat;
  common.exp = *exp;

  const int64_t skew = absl::ToInt64Seconds(options.clock_skew);
  const int64_t now_s = absl::ToUnixSeconds(now);
  if (claims.contains("nbf")) {
    std::optional<int64_t> nbf = NumericDateClaim(claims, "nbf");
    if (!nbf) return Invalid("nbf claim is not an integer NumericDate in range");
    if (now_s + skew < *nbf) return Expired("token is not valid yet (nbf)");
  }
  // A token issued in the future is not valid yet either (as PyJWT and
  // golang-jwt judge it): its issuer's clock is off, or it was minted ahead.
  if (now_s + skew < *iat) return Expired("token is not valid yet (iat is in the future)");
  if (now_s - skew >= *exp) return Expired("token has expired");
  return common;
}

absl::Status IdentityError(const Rejection& rejection) {
  const bool expired = rejection.failure == Failure::kExpired;
  return errors::Error(absl::StatusCode::kUnauthenticated,
                       expired ? "TOKEN_EXPIRED" : "TOKEN_INVALID",
                       absl::StrCat("identity token rejected: ", rejection.detail));
}

absl::Status ElevationError(const Rejection& rejection) {
  return errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_INVALID",
                       absl::StrCat("elevation token rejected: ", rejection.detail));
}

}  // namespace

bool IsValidSiteId(absl::string_view site) {
  if (site.empty() || site.size() > 64) return false;
  for (char c : site) {
    if (!(IsBase64UrlChar(c) || c == '.')) return false;
  }
  return true;
}

absl::StatusOr<IdentityClaims> VerifyIdentityToken(absl::string_view token, const KeySet& keys,
                                                   absl::Time now, const VerifierOptions& options) {
  Verified<Signed> verified = VerifySignature(token, keys);
  if (auto* rejection = std::get_if<Rejection>(&verified)) return IdentityError(*rejection);
  const json& object = std::get<Signed>(verified).claims;

  Verified<CommonClaims> common = CheckCommonClaims(object, kIdentityAudience, now, options);
  if (auto* rejection = std::get_if<Rejection>(&common)) return IdentityError(*rejection);
  std::optional<std::string> role_name = StringClaim(object, "role");
  std::optional<Role> role = role_name ? ParseRole(*role_name) : std::nullopt;
  if (!role) return IdentityError(Invalid("role claim must be visitor, member, user or app"));

  CommonClaims& c = std::get<CommonClaims>(common);
  return IdentityClaims{std::move(c.sub),
                        std::move(c.site),
                        *role,
                        c.iat,
                        c.exp,
                        std::move(std::get<Signed>(verified).kid)};
}

absl::StatusOr<ElevationClaims> VerifyElevationToken(absl::string_view token, const KeySet& keys,
                                                     absl::Time now,
                                                     const VerifierOptions& options) {
  Verified<Signed> verified = VerifySignature(token, keys);
  if (auto* rejection = std::get_if<Rejection>(&verified)) return ElevationError(*rejection);
  const json& object = std::get<Signed>(verified).claims;

  Verified<CommonClaims> common = CheckCommonClaims(object, kElevationAudience, now, options);
  if (auto* rejection = std::get_if<Rejection>(&common)) return ElevationError(*rejection);
  CommonClaims& c = std::get<CommonClaims>(common);

  // Both dates are in [0, kMaxNumericDate] and exp > iat: no overflow.
  if (c.exp - c.iat > kMaxElevationLifetimeSeconds) {
    return ElevationError(Invalid(
        absl::StrCat("lifetime exp - iat is over ", kMaxElevationLifetimeSeconds, " seconds")));
  }
  std::optional<std::string> jti = StringClaim(object, "jti");
  if (!jti || jti->empty()) return ElevationError(Invalid("jti claim is missing or empty"));
  auto perms = object.find("perms");
  if (perms == object.end() || !perms->is_array()) {
    return ElevationError(Invalid("perms claim is missing or not an array"));
  }
  ElevationClaims result{std::move(c.sub),
                         std::move(c.site),
                         {},
                         *std::move(jti),
                         c.iat,
                         c.exp,
                         std::move(std::get<Signed>(verified).kid)};
  for (const json& perm : *perms) {
    if (!perm.is_string()) return ElevationError(Invalid("perms claim holds a non-string"));
    result.perms.push_back(perm.get<std::string>());
  }
  return result;
}

}  // namespace backinstock::auth
