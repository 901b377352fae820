#include "server/auth/authorizer.h"

#include <gtest/gtest.h>

#include "backinstock/errors/error.h"
#include "tests/support/test_keys.h"

namespace backinstock::auth {
namespace {

using testing::ElevationToken;
using testing::IdentityToken;

constexpr char kGet[] = "/backinstock.v1.BackInStockSettingsService/GetSettings";
constexpr char kStart[] = "/backinstock.v1.BackInStockSettingsService/StartCollectingRequests";

class AuthorizerTest : public ::testing::Test {
 protected:
  Decision Decide(const char* method, std::vector<std::string> authorization,
                  std::vector<std::string> elevation = {}) {
    storage_auth_ = std::move(authorization);
    storage_elev_ = std::move(elevation);
    CallCredentials credentials;
    for (const auto& a : storage_auth_) credentials.authorization.push_back(a);
    for (const auto& e : storage_elev_) credentials.elevation.push_back(e);
    return authorizer_.Decide(method, credentials, absl::Now());
  }

  Authorizer authorizer_{std::make_shared<KeyRing>(testing::TestKeys()),
                         *MethodPermissions::FromDescriptors()};
  std::vector<std::string> storage_auth_, storage_elev_;
};

std::string Bearer(const std::string& token) { return "Bearer " + token; }

TEST_F(AuthorizerTest, MissingAuthorization) {
  Decision d = Decide(kGet, {});
  EXPECT_EQ(d.status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::ReasonOf(d.status), "TOKEN_MISSING");
  EXPECT_EQ(errors::ReasonOf(Decide(kGet, {IdentityToken("s", "user")}).status), "TOKEN_MISSING");
  EXPECT_EQ(errors::ReasonOf(Decide(kGet, {"Basic abc"}).status), "TOKEN_MISSING");
}

TEST_F(AuthorizerTest, BearerSchemeIsCaseInsensitive) {
  EXPECT_TRUE(Decide(kGet, {"bearer " + IdentityToken("s", "user")}).status.ok());
  EXPECT_TRUE(Decide(kGet, {"BEARER " + IdentityToken("s", "user")}).status.ok());
}

TEST_F(AuthorizerTest, TwoAuthorizationHeadersAreInvalid) {
  const std::string t = Bearer(IdentityToken("s", "user"));
  EXPECT_EQ(errors::ReasonOf(Decide(kGet, {t, t}).status), "TOKEN_INVALID");
}

TEST_F(AuthorizerTest, RoleSuffices) {
  Decision d = Decide(kGet, {Bearer(IdentityToken("s", "visitor"))});
  EXPECT_TRUE(d.status.ok());
  EXPECT_FALSE(d.elevated);
  EXPECT_EQ(d.ToCaller().site, "s");
}

TEST_F(AuthorizerTest, ElevationRequired) {
  Decision d = Decide(kStart, {Bearer(IdentityToken("s", "member"))});
  EXPECT_EQ(d.status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::ReasonOf(d.status), "ELEVATION_REQUIRED");
  EXPECT_EQ(errors::ErrorInfoOf(d.status)->metadata().at("permission"),
            std::string(kSettingsModify));
}

TEST_F(AuthorizerTest, ElevationGrants) {
  Decision d = Decide(kStart, {Bearer(IdentityToken("s", "visitor"))},
                      {ElevationToken("s", {std::string(kSettingsModify)})});
  EXPECT_TRUE(d.status.ok()) << d.status;
  EXPECT_TRUE(d.elevated);
  ASSERT_TRUE(d.elevation.has_value());
  EXPECT_EQ(d.elevation->sub, "test-backend");
}

TEST_F(AuthorizerTest, ElevationInsufficient) {
  Decision d = Decide(kStart, {Bearer(IdentityToken("s", "visitor"))},
                      {ElevationToken("s", {std::string(kSettingsRead)})});
  EXPECT_EQ(errors::ReasonOf(d.status), "ELEVATION_INSUFFICIENT");
}

TEST_F(AuthorizerTest, ElevationForAnotherSite) {
  Decision d = Decide(kStart, {Bearer(IdentityToken("s", "visitor"))},
                      {ElevationToken("other", {std::string(kSettingsModify)})});
  EXPECT_EQ(errors::ReasonOf(d.status), "ELEVATION_SITE_MISMATCH");
}

TEST_F(AuthorizerTest, ElevationIsVerifiedEvenWhenTheRoleSuffices) {
  Decision d = Decide(kGet, {Bearer(IdentityToken("s", "user"))}, {"garbage"});
  EXPECT_EQ(errors::ReasonOf(d.status), "ELEVATION_INVALID");
  d = Decide(kGet, {Bearer(IdentityToken("s", "user"))},
             {ElevationToken("other", {std::string(kSettingsRead)})});
  EXPECT_EQ(errors::ReasonOf(d.status), "ELEVATION_SITE_MISMATCH");
}

TEST_F(AuthorizerTest, ValidElevationNotNeededIsNotCountedAsElevated) {
  Decision d = Decide(kGet, {Bearer(IdentityToken("s", "user"))}, {ElevationToken("s", {})});
  EXPECT_TRUE(d.status.ok());
  EXPECT_FALSE(d.elevated);
  EXPECT_TRUE(d.elevation.has_value());
}

TEST_F(AuthorizerTest, IdentityIsCheckedBeforeElevation) {
  Decision d =
      Decide(kStart, {Bearer("bad")}, {ElevationToken("s", {std::string(kSettingsModify)})});
  EXPECT_EQ(errors::ReasonOf(d.status), "TOKEN_INVALID");
}

TEST_F(AuthorizerTest, MethodWithoutPermissionIsRefusedForEverybody) {
  for (const char* role : {"visitor", "member", "user", "app"}) {
    Decision d = Decide("/backinstock.v1.BackInStockSettingsService/Undeclared",
                        {Bearer(IdentityToken("s", role))});
    EXPECT_EQ(d.status.code(), absl::StatusCode::kPermissionDenied) << role;
    EXPECT_EQ(errors::ReasonOf(d.status), "PERMISSION_NOT_DECLARED") << role;
  }
}

TEST_F(AuthorizerTest, TwoElevationHeadersAreInvalid) {
  const std::string e = ElevationToken("s", {std::string(kSettingsModify)});
  EXPECT_EQ(
      errors::ReasonOf(Decide(kStart, {Bearer(IdentityToken("s", "visitor"))}, {e, e}).status),
      "ELEVATION_INVALID");
}

}  // namespace
}  // namespace backinstock::auth
