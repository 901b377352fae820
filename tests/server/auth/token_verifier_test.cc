#include "server/auth/token_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "server/auth/token_minter.h"
#include "tests/support/test_keys.h"

namespace backinstock::auth {
namespace {

using ::backinstock::testing::ElevationClaimsJson;
using ::backinstock::testing::IdentityClaimsJson;
using ::backinstock::testing::kElevationKid;
using ::backinstock::testing::kElevationSecret;
using ::backinstock::testing::kIdentityKid;
using ::backinstock::testing::kIdentitySecret;
using ::backinstock::testing::Sign;
using ::backinstock::testing::SignElevation;
using ::backinstock::testing::SignIdentity;
using ::backinstock::testing::TestKeys;
using nlohmann::json;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

absl::Status Identity(const std::string& token, absl::Time now = kNow) {
  return VerifyIdentityToken(token, TestKeys().identity, now).status();
}
absl::Status Elevation(const std::string& token, absl::Time now = kNow) {
  return VerifyElevationToken(token, TestKeys().elevation, now).status();
}

std::string B64(const std::string& s) { return absl::WebSafeBase64Escape(s); }

// A token with an arbitrary header, correctly HMAC-SHA256 signed, so that only
// the header can be the reason for a rejection.
std::string WithHeader(const json& header, const json& claims,
                       const std::string& secret = kIdentitySecret) {
  return *SignHs256(header.dump(), secret, claims.dump());
}

TEST(IdentityToken, GoodTokenVerifies) {
  absl::StatusOr<IdentityClaims> claims = VerifyIdentityToken(
      SignIdentity(IdentityClaimsJson("site-1", "user", "alice", kNow)), TestKeys().identity, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->site, "site-1");
  EXPECT_EQ(claims->sub, "alice");
  EXPECT_EQ(claims->role, Role::kUser);
}

TEST(IdentityToken, Expired) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow - absl::Hours(2));
  absl::Status status = Identity(SignIdentity(claims));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::ReasonOf(status), "TOKEN_EXPIRED");
}

TEST(IdentityToken, ExpiresExactlyNow) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow);
  claims["exp"] = absl::ToUnixSeconds(kNow);
  claims["iat"] = absl::ToUnixSeconds(kNow) - 10;
  EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_EXPIRED");
}

TEST(IdentityToken, NotYetValid) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow);
  claims["nbf"] = absl::ToUnixSeconds(kNow) + 60;
  absl::Status status = Identity(SignIdentity(claims));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::ReasonOf(status), "TOKEN_EXPIRED");
}

TEST(IdentityToken, IssuedInTheFutureIsNotYetValid) {
  // Tried as a new user would: a token minted an hour ahead.
  json claims = IdentityClaimsJson("s", "user", "u", kNow + absl::Hours(1));
  absl::Status status = Identity(SignIdentity(claims));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::ReasonOf(status), "TOKEN_EXPIRED");
  // Within the clock skew it is the issuer's clock running a little ahead.
  claims = IdentityClaimsJson("s", "user", "u", kNow + absl::Seconds(5));
  EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_EXPIRED");
  EXPECT_TRUE(VerifyIdentityToken(SignIdentity(claims), TestKeys().identity, kNow,
                                  VerifierOptions{absl::Seconds(10)})
                  .ok());
}

TEST(IdentityToken, NumericDatesOutOfRangeAreInvalid) {
  json base = IdentityClaimsJson("s", "user", "u", kNow);
  for (const char* claim : {"iat", "exp", "nbf"}) {
    for (int64_t value : {int64_t{-1}, std::numeric_limits<int64_t>::min(),
                          int64_t{253'402'300'800}, std::numeric_limits<int64_t>::max()}) {
      json claims = base;
      claims[claim] = value;
      EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_INVALID")
          << claim << " = " << value;
    }
  }
  json claims = base;
  claims["exp"] = int64_t{253'402'300'799};  // 9999-12-31T23:59:59Z is the last date accepted
  EXPECT_TRUE(Identity(SignIdentity(claims)).ok());
}

TEST(IdentityToken, NbfInThePastIsFine) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow);
  claims["nbf"] = absl::ToUnixSeconds(kNow) - 60;
  EXPECT_TRUE(Identity(SignIdentity(claims)).ok());
}

TEST(IdentityToken, ClockSkewIsHonoured) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow - absl::Hours(1) - absl::Seconds(5));
  const std::string token = SignIdentity(claims);
  EXPECT_EQ(errors::ReasonOf(Identity(token)), "TOKEN_EXPIRED");
  EXPECT_TRUE(
      VerifyIdentityToken(token, TestKeys().identity, kNow, VerifierOptions{absl::Seconds(10)})
          .ok());
}

TEST(IdentityToken, BadSignature) {
  std::string token = SignIdentity(IdentityClaimsJson("s", "user", "u", kNow));
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(errors::ReasonOf(Identity(token)), "TOKEN_INVALID");
}

TEST(IdentityToken, WrongSecret) {
  std::string token = Sign(kIdentityKid, "another-secret-that-is-long-enough-to-pass",
                           IdentityClaimsJson("s", "user", "u", kNow));
  EXPECT_EQ(errors::ReasonOf(Identity(token)), "TOKEN_INVALID");
}

TEST(IdentityToken, ForgedClaimsWithValidSignatureOfOtherPayload) {
  const std::string good = SignIdentity(IdentityClaimsJson("s", "visitor", "u", kNow));
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  parts[1] = B64(IdentityClaimsJson("s", "user", "u", kNow).dump());
  EXPECT_EQ(errors::ReasonOf(Identity(absl::StrJoin(parts, "."))), "TOKEN_INVALID");
}

TEST(IdentityToken, AlgNone) {
  const std::string token =
      absl::StrCat(B64(R"({"alg":"none","kid":"test-identity"})"), ".",
                   B64(IdentityClaimsJson("s", "user", "u", kNow).dump()), ".");
  EXPECT_EQ(errors::ReasonOf(Identity(token)), "TOKEN_INVALID");
  EXPECT_EQ(errors::ReasonOf(Identity(token + "x")), "TOKEN_INVALID");
}

TEST(IdentityToken, OtherAlgorithmsAreRefused) {
  for (const char* alg : {"HS384", "HS512", "RS256", "ES256", "hs256"}) {
    json header = {{"alg", alg}, {"kid", kIdentityKid}};
    EXPECT_EQ(
        errors::ReasonOf(Identity(WithHeader(header, IdentityClaimsJson("s", "user", "u", kNow)))),
        "TOKEN_INVALID")
        << alg;
  }
}

TEST(IdentityToken, UnknownKid) {
  std::string token = Sign("nobody", kIdentitySecret, IdentityClaimsJson("s", "user", "u", kNow));
  EXPECT_EQ(errors::ReasonOf(Identity(token)), "TOKEN_INVALID");
}

TEST(IdentityToken, WrongAudience) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow);
  claims["aud"] = "backinstock-elevation";
  EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_INVALID");
  claims["aud"] = json::array({"backinstock"});
  EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_INVALID");
  claims["aud"] = "Backinstock";
  EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_INVALID");
}

TEST(IdentityToken, ElevationTokenIsNotAnIdentityToken) {
  const std::string elevation = SignElevation(ElevationClaimsJson("s", {"x"}, "b", kNow));
  EXPECT_EQ(errors::ReasonOf(Identity(elevation)), "TOKEN_INVALID");
}

TEST(IdentityToken, MissingOrMistypedClaims) {
  for (const char* name : {"aud", "sub", "site", "role", "iat", "exp"}) {
    json claims = IdentityClaimsJson("s", "user", "u", kNow);
    claims.erase(name);
    EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_INVALID") << name;
  }
  const std::vector<std::pair<const char*, json>> mistyped = {{"sub", 5},
                                                              {"sub", ""},
                                                              {"site", 7},
                                                              {"site", "bad site"},
                                                              {"site", std::string(65, 'a')},
                                                              {"role", "admin"},
                                                              {"role", "User"},
                                                              {"iat", "1"},
                                                              {"exp", 1.9e9},
                                                              {"exp", "1900000000"},
                                                              {"nbf", "0"},
                                                              {"role", nullptr}};
  for (const auto& [name, value] : mistyped) {
    json claims = IdentityClaimsJson("s", "user", "u", kNow);
    claims[name] = value;
    EXPECT_EQ(errors::ReasonOf(Identity(SignIdentity(claims))), "TOKEN_INVALID")
        << name << "=" << value.dump();
  }
}

TEST(IdentityToken, UnknownClaimsAndHeaderFieldsAreIgnored) {
  json claims = IdentityClaimsJson("s", "user", "u", kNow);
  claims["extra"] = {{"nested", true}};
  EXPECT_TRUE(Identity(SignIdentity(claims)).ok());
  json header = {{"alg", "HS256"}, {"kid", kIdentityKid}, {"typ", "JWT"}, {"x-custom", 1}};
  EXPECT_TRUE(Identity(WithHeader(header, claims)).ok());
}

TEST(IdentityToken, EmbeddedKeysAreNeverUsed) {
  // A jwk/jku naming the attacker's key changes nothing: the key comes from
  // our key set by kid, and this token is signed with the attacker's key.
  const std::string attacker = "attacker-secret-attacker-secret-attacker!";
  json header = {{"alg", "HS256"},
                 {"kid", kIdentityKid},
                 {"jwk", {{"kty", "oct"}, {"k", B64(attacker)}}},
                 {"jku", "https://attacker.example/keys"}};
  EXPECT_EQ(errors::ReasonOf(
                Identity(WithHeader(header, IdentityClaimsJson("s", "user", "u", kNow), attacker))),
            "TOKEN_INVALID");
  // The same header signed with our key is fine: the fields are ignored.
  EXPECT_TRUE(Identity(WithHeader(header, IdentityClaimsJson("s", "user", "u", kNow))).ok());
}

TEST(IdentityToken, CritHeaderIsRefused) {
  json header = {{"alg", "HS256"}, {"kid", kIdentityKid}, {"crit", json::array({"exp"})}};
  EXPECT_EQ(
      errors::ReasonOf(Identity(WithHeader(header, IdentityClaimsJson("s", "user", "u", kNow)))),
      "TOKEN_INVALID");
}

TEST(IdentityToken, Garbage) {
  for (const std::string& token :
       {std::string(""), std::string("abc"), std::string("a.b"), std::string("a.b.c.d"),
        std::string(".."), std::string("a..c"), std::string("!!!.???.###"), std::string(9000, 'a'),
        std::string("eyJ.eyJ.sig"), std::string("a b.c d.e f"), std::string("\0\0.\0.\0", 6)}) {
    EXPECT_EQ(errors::ReasonOf(Identity(token)), "TOKEN_INVALID") << token.substr(0, 40);
  }
}

TEST(IdentityToken, PayloadThatIsNotAnObject) {
  // Properly signed, but the payload is a JSON array.
  EXPECT_EQ(errors::ReasonOf(Identity(Sign(kIdentityKid, kIdentitySecret, json::array({1, 2})))),
            "TOKEN_INVALID");
}

TEST(ElevationToken, GoodTokenVerifies) {
  absl::StatusOr<ElevationClaims> claims = VerifyElevationToken(
      SignElevation(ElevationClaimsJson("s", {"ECOM.X", "ECOM.Y"}, "backend", kNow)),
      TestKeys().elevation, kNow);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->sub, "backend");
  EXPECT_THAT(claims->perms, ::testing::ElementsAre("ECOM.X", "ECOM.Y"));
  EXPECT_FALSE(claims->jti.empty());
}

TEST(ElevationToken, FailuresAreElevationInvalid) {
  auto reason = [](const json& claims) {
    absl::Status status = Elevation(SignElevation(claims));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
    return errors::ReasonOf(status);
  };
  json base = ElevationClaimsJson("s", {"p"}, "b", kNow);
  json c = base;
  c["exp"] = c["iat"].get<int64_t>() + 301;
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "lifetime over 300 s";
  c = base;
  c["exp"] = c["iat"].get<int64_t>() + 300;
  EXPECT_TRUE(Elevation(SignElevation(c)).ok()) << "exactly 300 s is allowed";
  c = base;
  c["iat"] = absl::ToUnixSeconds(kNow) + 30;
  c["exp"] = absl::ToUnixSeconds(kNow) + 60;
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "iat in the future";
  EXPECT_EQ(reason(ElevationClaimsJson("s", {"p"}, "b", kNow - absl::Minutes(5))),
            "ELEVATION_INVALID")
      << "expired";
  c = base;
  // exp - iat overflows int64 and wrapped to a negative "lifetime".
  c["iat"] = std::numeric_limits<int64_t>::min() + 100;
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "iat far negative";
  c["iat"] = int64_t{-1};
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "iat negative";
  c = base;
  c["exp"] = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "exp absurdly far";
  c = base;
  c["aud"] = "backinstock";
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "wrong audience";
  c = base;
  c["perms"] = "p";
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "perms not an array";
  c = base;
  c["perms"] = json::array({1});
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "perms of non-strings";
  c = base;
  c.erase("jti");
  EXPECT_EQ(reason(c), "ELEVATION_INVALID") << "no jti";
}

TEST(ElevationToken, IdentityTokenUsedAsElevationToken) {
  const std::string identity = SignIdentity(IdentityClaimsJson("s", "user", "u", kNow));
  EXPECT_EQ(errors::ReasonOf(Elevation(identity)), "ELEVATION_INVALID");
  // Even when signed with the elevation key, the audience gives it away.
  EXPECT_EQ(errors::ReasonOf(Elevation(
                Sign(kElevationKid, kElevationSecret, IdentityClaimsJson("s", "user", "u", kNow)))),
            "ELEVATION_INVALID");
}

TEST(ElevationToken, CritHeaderIsRefused) {
  json header = {{"alg", "HS256"}, {"kid", kElevationKid}, {"crit", json::array({"exp"})}};
  EXPECT_EQ(errors::ReasonOf(Elevation(
                WithHeader(header, ElevationClaimsJson("s", {"p"}, "b", kNow), kElevationSecret))),
            "ELEVATION_INVALID");
}

TEST(SiteId, Rules) {
  EXPECT_TRUE(IsValidSiteId("a"));
  EXPECT_TRUE(IsValidSiteId("Site_1.example-2"));
  EXPECT_TRUE(IsValidSiteId(std::string(64, 'x')));
  EXPECT_FALSE(IsValidSiteId(""));
  EXPECT_FALSE(IsValidSiteId(std::string(65, 'x')));
  EXPECT_FALSE(IsValidSiteId("a/b"));
  EXPECT_FALSE(IsValidSiteId("a b"));
  EXPECT_FALSE(IsValidSiteId("é"));
}

}  // namespace
}  // namespace backinstock::auth
