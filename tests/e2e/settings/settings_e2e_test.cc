// settings.proto and its permissions over a real channel: every role against every settings RPC,
// with and without elevation, same and other site; exact codes and reasons;
// rejected writes change nothing; the audit log records denials and elevation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "nlohmann/json.hpp"
#include "tests/support/settings_calls.h"

namespace backinstock::testing {
namespace {

using auth::kSettingsModify;
using auth::kSettingsRead;

const std::string kModify(kSettingsModify);
const std::string kRead(kSettingsRead);

class SettingsE2eTest : public ::testing::Test {
 protected:
  SettingsE2eTest() : server_(TestConfig(audit_path_)), calls_(server_.channel()) {}
  ~SettingsE2eTest() override { std::remove(audit_path_.c_str()); }

  // The site's state as its owner sees it.
  v1::BackInStockSettings Owner(const std::string& site) {
    absl::StatusOr<v1::BackInStockSettings> settings = calls_.Get(As(site, "user"));
    EXPECT_TRUE(settings.ok()) << settings.status();
    return settings.value_or(v1::BackInStockSettings());
  }

  std::string audit_path_ = TempPath("audit");
  TestServer server_;
  SettingsCalls calls_;
};

void ExpectError(const absl::Status& status, absl::StatusCode code, const std::string& reason) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(errors::ReasonOf(status), reason) << status;
  EXPECT_EQ(errors::ErrorInfoOf(status).value_or(google::rpc::ErrorInfo()).domain(),
            "backinstock.v1");
}

TEST_F(SettingsE2eTest, UntouchedSite) {
  v1::BackInStockSettings settings = Owner("fresh");
  ASSERT_EQ(settings.collection_states_size(), 1);
  EXPECT_EQ(settings.collection_states(0).app_id(), kStoresApp);
  EXPECT_FALSE(settings.collection_states(0).collecting_requests());
  EXPECT_EQ(settings.revision(), 0);
}

TEST_F(SettingsE2eTest, StartStopRevisions) {
  EXPECT_EQ(calls_.Set(As("s", "user"), true)->revision(), 1);
  EXPECT_EQ(calls_.Set(As("s", "app"), true)->revision(), 1);
  EXPECT_TRUE(Owner("s").collection_states(0).collecting_requests());
  EXPECT_EQ(calls_.Set(As("s", "user"), false)->revision(), 2);
  EXPECT_EQ(calls_.Set(As("s", "user"), false)->revision(), 2);
  EXPECT_FALSE(Owner("s").collection_states(0).collecting_requests());
  EXPECT_EQ(Owner("other").revision(), 0);
  // Upper-case GUIDs are accepted and reported in lower case.
  v1::BackInStockSettings upper =
      *calls_.Set(As("s", "user"), true, "215238EB-22A5-4C36-9E7B-E7C08025E04E");
  EXPECT_EQ(upper.collection_states(0).app_id(), kStoresApp);
  EXPECT_EQ(upper.revision(), 3);
}

TEST_F(SettingsE2eTest, EveryRoleAgainstEveryRpc) {
  struct Case {
    std::string role;
    bool may_modify;
  };
  for (const Case& c :
       {Case{"visitor", false}, Case{"member", false}, Case{"user", true}, Case{"app", true}}) {
    SCOPED_TRACE(c.role);
    const std::string site = "site-" + c.role;
    // Read: every role, no elevation needed.
    EXPECT_TRUE(calls_.Get(As(site, c.role)).ok());
    // Read with a valid same-site elevation (granting or not): still fine.
    EXPECT_TRUE(calls_.Get(Elevated(site, c.role, site, {kRead})).ok());
    EXPECT_TRUE(calls_.Get(Elevated(site, c.role, site, {})).ok());
    // Read with an elevation for another site: refused, even though the role suffices.
    ExpectError(calls_.Get(Elevated(site, c.role, "elsewhere", {kRead})).status(),
                absl::StatusCode::kPermissionDenied, "ELEVATION_SITE_MISMATCH");

    for (bool collecting : {true, false}) {
      SCOPED_TRACE(collecting ? "Start" : "Stop");
      const int64_t before = Owner(site).revision();
      absl::StatusOr<v1::BackInStockSettings> plain = calls_.Set(As(site, c.role), collecting);
      if (c.may_modify) {
        EXPECT_TRUE(plain.ok()) << plain.status();
      } else {
        ExpectError(plain.status(), absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED");
        EXPECT_EQ(errors::ErrorInfoOf(plain.status())->metadata().at("permission"), kModify);
      }
      // Elevated with the permission: allowed for every role.
      EXPECT_TRUE(calls_.Set(Elevated(site, c.role, site, {kModify}), collecting).ok());
      EXPECT_EQ(Owner(site).collection_states(0).collecting_requests(), collecting);
      EXPECT_EQ(Owner(site).revision(), before + 1);

      // Every refused variant, each leaving the site exactly as it was.
      const v1::BackInStockSettings settled = Owner(site);
      const std::vector<std::pair<Credentials, std::string>> refused = [&] {
        std::vector<std::pair<Credentials, std::string>> r = {
            {Elevated(site, c.role, "elsewhere", {kModify}), "ELEVATION_SITE_MISMATCH"},
            {Credentials{IdentityToken(site, c.role), std::string("garbage")}, "ELEVATION_INVALID"},
            {Credentials{IdentityToken(site, c.role), IdentityToken(site, "user")},
             "ELEVATION_INVALID"},
        };
        if (!c.may_modify) {
          r.push_back({Elevated(site, c.role, site, {kRead}), "ELEVATION_INSUFFICIENT"});
        }
        return r;
      }();
      for (const auto& [who, reason] : refused) {
        SCOPED_TRACE(reason);
        ExpectError(calls_.Set(who, !collecting).status(), absl::StatusCode::kPermissionDenied,
                    reason);
        EXPECT_EQ(Owner(site).SerializeAsString(), settled.SerializeAsString());
      }
    }
  }
}

TEST_F(SettingsE2eTest, IdentityFailures) {
  const nlohmann::json good = IdentityClaimsJson("s", "user");
  nlohmann::json expired = IdentityClaimsJson("s", "user", "u", absl::Now() - absl::Hours(2));
  nlohmann::json future = good;
  future["nbf"] = absl::ToUnixSeconds(absl::Now()) + 3600;
  nlohmann::json wrong_aud = good;
  wrong_aud["aud"] = "someone-else";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {SignIdentity(expired), "TOKEN_EXPIRED"},
      {SignIdentity(future), "TOKEN_EXPIRED"},
      {SignIdentity(wrong_aud), "TOKEN_INVALID"},
      {Sign("unknown-kid", kIdentitySecret, good), "TOKEN_INVALID"},
      {Sign(kIdentityKid, "a-different-secret-of-more-than-32-bytes", good), "TOKEN_INVALID"},
      {SignElevation(ElevationClaimsJson("s", {kModify})), "TOKEN_INVALID"},
      {"not.a.token", "TOKEN_INVALID"},
  };
  for (const auto& [token, reason] : cases) {
    ExpectError(calls_.Set(Credentials{token, std::nullopt}, true).status(),
                absl::StatusCode::kUnauthenticated, reason);
    ExpectError(calls_.Get(Credentials{token, std::nullopt}).status(),
                absl::StatusCode::kUnauthenticated, reason);
  }
  EXPECT_EQ(Owner("s").revision(), 0);
}

TEST_F(SettingsE2eTest, MissingToken) {
  v1::GetSettingsResponse response;
  grpc::ClientContext no_header;
  ExpectError(errors::FromGrpcStatus(
                  calls_.stub().GetSettings(&no_header, v1::GetSettingsRequest(), &response)),
              absl::StatusCode::kUnauthenticated, "TOKEN_MISSING");
  grpc::ClientContext basic;
  basic.AddMetadata("authorization", "Basic dXNlcjpwYXNz");
  ExpectError(errors::FromGrpcStatus(
                  calls_.stub().GetSettings(&basic, v1::GetSettingsRequest(), &response)),
              absl::StatusCode::kUnauthenticated, "TOKEN_MISSING");
}

TEST_F(SettingsE2eTest, InvalidAndUnsupportedAppIds) {
  for (bool collecting : {true, false}) {
    for (const char* bad :
         {"", "nope", "215238eb-22a5-4c36-9e7b-e7c08025e04", "215238eb22a54c369e7be7c08025e04e"}) {
      absl::Status status = calls_.Set(As("s", "user"), collecting, bad).status();
      ExpectError(status, absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
      auto bad_request = errors::BadRequestOf(status);
      ASSERT_TRUE(bad_request.has_value());
      EXPECT_EQ(bad_request->field_violations(0).field(), "app_id");
    }
    // A hostile, huge app id is refused with a short message.
    absl::Status huge = calls_.Set(As("s", "user"), collecting, std::string(200000, 'z')).status();
    ExpectError(huge, absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
    EXPECT_LT(huge.message().size(), 200u);
    ExpectError(
        calls_.Set(As("s", "user"), collecting, "00000000-0000-4000-8000-000000000000").status(),
        absl::StatusCode::kFailedPrecondition, "NOT_SUPPORTED_APP_DEF_ID");
  }
  EXPECT_EQ(Owner("s").revision(), 0);
}

TEST_F(SettingsE2eTest, PermissionIsCheckedBeforeValidation) {
  // A visitor's malformed Start is refused for permission, not for the app id.
  ExpectError(calls_.Set(As("s", "visitor"), true, "nope").status(),
              absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED");
}

TEST(SettingsAudit, DeniedAndElevatedCallsAreAudited) {
  const std::string audit = TempPath("audit-lines");
  const std::string elevation = ElevationToken("s", {std::string(kSettingsModify)});
  {
    TestServer server(TestConfig(audit));
    SettingsCalls calls(server.channel());
    ASSERT_TRUE(calls.Get(As("s", "user")).ok());            // not audited
    ASSERT_FALSE(calls.Set(As("s", "visitor"), true).ok());  // denied
    ASSERT_TRUE(calls.Set(Credentials{IdentityToken("s", "visitor"), elevation}, true).ok());
    ASSERT_FALSE(calls.Get(Credentials{"garbage", std::nullopt}).ok());  // denied
  }  // shutdown flushes the audit log
  std::ifstream in(audit);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["reason"], "ELEVATION_REQUIRED");
  EXPECT_EQ(lines[0]["code"], "PERMISSION_DENIED");
  EXPECT_EQ(lines[0]["site"], "s");
  EXPECT_EQ(lines[0]["caller_role"], "visitor");
  EXPECT_EQ(lines[0]["caller_sub"], "test-user");
  EXPECT_EQ(lines[1]["code"], "OK");
  EXPECT_EQ(lines[1]["elevated_by"], "test-backend");
  EXPECT_FALSE(lines[1]["jti"].get<std::string>().empty());
  EXPECT_EQ(lines[1]["method"],
            "/backinstock.v1.BackInStockSettingsService/StartCollectingRequests");
  EXPECT_EQ(lines[2]["reason"], "TOKEN_INVALID");
  EXPECT_EQ(lines[2]["code"], "UNAUTHENTICATED");
  for (const auto& line : lines) {
    EXPECT_FALSE(line["time"].get<std::string>().empty());
    EXPECT_EQ(line.dump().find(elevation), std::string::npos) << "tokens are never logged";
  }
  std::remove(audit.c_str());
}

}  // namespace
}  // namespace backinstock::testing
