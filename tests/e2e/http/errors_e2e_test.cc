// Wix's status and error envelope for every class of error, through the real
// server's HTTP front; malformed input is 400 MALFORMED_REQUEST.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "server/auth/permissions.h"
#include "tests/e2e/http/front_fixture.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kBase[] = "/v1/back-in-stock-notification-requests";
constexpr char kOtherGuid[] = "11111111-2222-3333-4444-555555555555";

class ErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = FrontServer::Start().release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static HttpAnswer Call(const std::vector<std::string>& headers, const std::string& method,
                         const std::string& path, const std::string& body = "",
                         bool with_body = false) {
    HttpAnswer answer = Fetch(method, server_->Url(path), headers, body, with_body);
    EXPECT_THAT(answer.Header("x-wix-request-id"), Not(IsEmpty()));
    EXPECT_THAT(answer.Header("content-type"), HasSubstr("application/json"));
    return answer;
  }
  static std::string StartBody(const std::string& app) {
    return absl::StrCat(R"({"appId":")", app, R"("})");
  }

  static FrontServer* server_;
};

FrontServer* ErrorsTest::server_ = nullptr;

TEST_F(ErrorsTest, UnsupportedAppIs428WithItsReason) {
  HttpAnswer answer =
      Call(AuthHeaders(As("errors-428", "user")), "POST",
           absl::StrCat(kBase, "/settings/start-collecting"), StartBody(kOtherGuid), true);
  EXPECT_EQ(answer.status, 428) << answer.body;
  EXPECT_EQ(answer.Code(), "NOT_SUPPORTED_APP_DEF_ID");
  nlohmann::json json = answer.Json();
  EXPECT_THAT(json["message"].get<std::string>(), Not(IsEmpty()));
  EXPECT_EQ(json["details"]["applicationError"]["description"], json["message"]);
  EXPECT_TRUE(json["details"]["applicationError"]["data"].is_object());
}

TEST_F(ErrorsTest, CreateWhileNotCollectingIs428) {
  HttpAnswer answer = Call(
      AuthHeaders(As("errors-disabled", "visitor")), "POST", kBase,
      absl::StrCat(R"({"request":{"catalogReference":{"catalogItemId":"x","appId":")", kStoresApp,
                   R"("},"email":"a@example.com"},"itemDetails":{"name":"X","price":"1"}})"),
      true);
  EXPECT_EQ(answer.status, 428) << answer.body;
  EXPECT_EQ(answer.Code(), "REQUEST_COLLECTION_DISABLED");
}

TEST_F(ErrorsTest, DuplicateIs409WithTheExistingId) {
  const Credentials owner = As("errors-409", "user");
  ASSERT_TRUE(SettingsCalls(server_->channel()).Set(owner, true).ok());
  const std::string body =
      absl::StrCat(R"({"request":{"catalogReference":{"catalogItemId":"x","appId":")", kStoresApp,
                   R"("},"email":"a@example.com"},"itemDetails":{"name":"X","price":"1"}})");
  HttpAnswer first = Call(AuthHeaders(owner), "POST", kBase, body, true);
  ASSERT_EQ(first.status, 200) << first.body;
  HttpAnswer second = Call(AuthHeaders(owner), "POST", kBase, body, true);
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(second.Code(), "BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS");
  EXPECT_EQ(second.Json()["details"]["applicationError"]["data"]["id"],
            first.Json()["request"]["id"]);
}

TEST_F(ErrorsTest, InvalidArgumentIs400WithFieldViolations) {
  HttpAnswer answer =
      Call(AuthHeaders(As("errors-400", "user")), "POST",
           absl::StrCat(kBase, "/settings/start-collecting"), StartBody("not-a-guid"), true);
  EXPECT_EQ(answer.status, 400) << answer.body;
  nlohmann::json violations = answer.Json()["details"]["validationError"]["fieldViolations"];
  ASSERT_EQ(violations.size(), 1u) << answer.body;
  EXPECT_EQ(violations[0]["field"], "appId");
  EXPECT_THAT(violations[0]["description"].get<std::string>(), Not(IsEmpty()));

  // A nested field comes back with its JSON path.
  const Credentials owner = As("errors-400-nested", "user");
  ASSERT_TRUE(SettingsCalls(server_->channel()).Set(owner, true).ok());
  HttpAnswer nested = Call(
      AuthHeaders(owner), "POST", kBase,
      absl::StrCat(R"({"request":{"catalogReference":{"catalogItemId":"","appId":")", kStoresApp,
                   R"("},"email":"a@example.com"},"itemDetails":{"name":"X","price":"1"}})"),
      true);
  EXPECT_EQ(nested.status, 400) << nested.body;
  EXPECT_EQ(nested.Json()["details"]["validationError"]["fieldViolations"][0]["field"],
            "request.catalogReference.catalogItemId")
      << nested.body;
}

TEST_F(ErrorsTest, AuthenticationFailuresAre401) {
  HttpAnswer missing = Call({}, "GET", absl::StrCat(kBase, "/settings"));
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.Code(), "TOKEN_MISSING");
  HttpAnswer forged =
      Call({"Authorization: Bearer not.a.token"}, "GET", absl::StrCat(kBase, "/settings"));
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(forged.Code(), "TOKEN_INVALID");
  // Bytes gRPC metadata cannot carry are still just an invalid token.
  HttpAnswer binary =
      Call({"Authorization: Bearer \x80\x81"}, "GET", absl::StrCat(kBase, "/settings"));
  EXPECT_EQ(binary.status, 401);
  EXPECT_EQ(binary.Code(), "TOKEN_INVALID");
}

TEST_F(ErrorsTest, PermissionFailuresAre403AndElevationWorks) {
  const std::string path = absl::StrCat(kBase, "/settings/start-collecting");
  HttpAnswer denied =
      Call(AuthHeaders(As("errors-403", "visitor")), "POST", path, StartBody(kStoresApp), true);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(denied.Code(), "ELEVATION_REQUIRED");
  EXPECT_EQ(denied.Json()["details"]["applicationError"]["data"]["permission"],
            std::string(auth::kSettingsModify));

  HttpAnswer mismatch = Call(AuthHeaders(Elevated("errors-403", "visitor", "another-site",
                                                  {std::string(auth::kSettingsModify)})),
                             "POST", path, StartBody(kStoresApp), true);
  EXPECT_EQ(mismatch.status, 403);
  EXPECT_EQ(mismatch.Code(), "ELEVATION_SITE_MISMATCH");

  HttpAnswer elevated = Call(AuthHeaders(Elevated("errors-403", "visitor", "errors-403",
                                                  {std::string(auth::kSettingsModify)})),
                             "POST", path, StartBody(kStoresApp), true);
  EXPECT_EQ(elevated.status, 200) << elevated.body;
  EXPECT_EQ(elevated.Json()["settings"]["collectionStates"][0]["collectingRequests"], true);
}

TEST_F(ErrorsTest, MalformedBodiesAre400MalformedRequest) {
  const std::vector<std::string> headers = AuthHeaders(As("errors-malformed", "user"));
  const std::string start = absl::StrCat(kBase, "/settings/start-collecting");
  for (const std::string& body :
       {std::string("{not json"), std::string(R"({"appId": 5})"), std::string("[1,2]"),
        std::string(R"({"appId": {"nested": true}})"), std::string("\xff\xfe")}) {
    HttpAnswer answer = Call(headers, "POST", start, body, true);
    EXPECT_EQ(answer.status, 400) << body << " -> " << answer.body;
    EXPECT_EQ(answer.Code(), "MALFORMED_REQUEST") << body;
  }
  HttpAnswer bad_r = Call(headers, "GET", absl::StrCat(kBase, "?.r=%%%"));
  EXPECT_EQ(bad_r.status, 400);
  EXPECT_EQ(bad_r.Code(), "MALFORMED_REQUEST");
  HttpAnswer bad_r_json = Call(headers, "GET", absl::StrCat(kBase, "?.r=", Base64Url("{oops")));
  EXPECT_EQ(bad_r_json.status, 400);
  EXPECT_EQ(bad_r_json.Code(), "MALFORMED_REQUEST");
  HttpAnswer bad_type = Call(headers, "GET", absl::StrCat(kBase, "?query.cursorPaging.limit=lots"));
  EXPECT_EQ(bad_type.status, 400);
  EXPECT_EQ(bad_type.Code(), "MALFORMED_REQUEST");
}

}  // namespace
}  // namespace backinstock::testing
