// Server-Sent Events for the two watch streams, and CORS for listed origins,
// through the real server's HTTP front.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/http/front_fixture.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kBase[] = "/v1/back-in-stock-notification-requests";
constexpr char kShop[] = "https://shop.example.com";

class StreamsCorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = FrontServer::Start(
                  {absl::StrCat("--http_cors_origins=", kShop, ",https://other.example.com")})
                  .release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr); }

  static FrontServer* server_;
};

FrontServer* StreamsCorsTest::server_ = nullptr;

TEST_F(StreamsCorsTest, WatchSettingsDeliversAStartMadeOverGrpc) {
  const Credentials owner = As("sse-settings", "user");
  SseReader reader(server_->Url(absl::StrCat("/back-in-stock-service", kBase, "/settings/watch")),
                   AuthHeaders(owner));
  ASSERT_TRUE(Eventually([&] { return reader.Events().size() >= 1; })) << reader.Raw();
  EXPECT_EQ(reader.Events()[0]["settings"]["collectionStates"][0]["collectingRequests"], false);

  ASSERT_TRUE(SettingsCalls(server_->channel()).Set(owner, true).ok());
  ASSERT_TRUE(Eventually([&] {
    std::vector<nlohmann::json> events = reader.Events();
    return !events.empty() &&
           events.back()["settings"]["collectionStates"][0]["collectingRequests"] == true;
  })) << reader.Raw();
  EXPECT_EQ(reader.Events().back()["settings"]["revision"], "1");
}

TEST_F(StreamsCorsTest, WatchEventsDeliversACreateMadeOverGrpc) {
  const Credentials owner = As("sse-events", "user");
  ASSERT_TRUE(SettingsCalls(server_->channel()).Set(owner, true).ok());
  SseReader reader(server_->Url(absl::StrCat(kBase, "/events")), AuthHeaders(owner));
  RequestCalls requests(server_->channel());
  // A create made before the subscription would be missed; retry with new
  // emails until one shows up (each create is a new request).
  int created = 0;
  ASSERT_TRUE(Eventually(
      [&] {
        EXPECT_TRUE(
            requests.Create(owner, "item", absl::StrCat("c", created++, "@example.com")).ok());
        return !reader.Events().empty();
      },
      absl::Seconds(30), absl::Milliseconds(200)))
      << reader.Raw();
  nlohmann::json event = reader.Events()[0];
  EXPECT_EQ(event["type"], "CREATED") << event;
  EXPECT_EQ(event["request"]["catalogReference"]["catalogItemId"], "item");
}

TEST_F(StreamsCorsTest, StreamRefusedBeforeItStartsIsAnOrdinaryError) {
  HttpAnswer answer = Fetch("GET", server_->Url(absl::StrCat(kBase, "/settings/watch")),
                            {"Accept: text/event-stream"});
  EXPECT_EQ(answer.status, 401) << answer.body;
  EXPECT_EQ(answer.Code(), "TOKEN_MISSING");
}

TEST_F(StreamsCorsTest, PreflightForAListedOrigin) {
  HttpAnswer answer = Fetch("OPTIONS", server_->Url(absl::StrCat(kBase, "/settings")),
                            {absl::StrCat("Origin: ", kShop), "Access-Control-Request-Method: PUT",
                             "Access-Control-Request-Headers: authorization, content-type"});
  EXPECT_EQ(answer.status, 204);
  EXPECT_EQ(answer.Header("access-control-allow-origin"), kShop);
  EXPECT_EQ(answer.Header("access-control-allow-credentials"), "true");
  EXPECT_THAT(answer.Header("access-control-allow-methods"), HasSubstr("PUT"));
  EXPECT_THAT(answer.Header("access-control-allow-headers"), HasSubstr("authorization"));
  EXPECT_THAT(answer.Header("access-control-allow-headers"), HasSubstr("x-elevation-token"));

  // The real request then carries the origin's headers too.
  HttpAnswer get = Fetch("GET", server_->Url(absl::StrCat(kBase, "/settings")), [] {
    std::vector<std::string> h = AuthHeaders(As("cors", "visitor"));
    h.push_back(absl::StrCat("Origin: ", kShop));
    return h;
  }());
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.Header("access-control-allow-origin"), kShop);
  EXPECT_EQ(get.Header("access-control-allow-credentials"), "true");
}

TEST_F(StreamsCorsTest, PreflightForAnUnlistedOrigin) {
  for (const char* origin : {"https://evil.example.com", "https://shop.example.com.evil.com",
                             "http://shop.example.com"}) {
    HttpAnswer answer =
        Fetch("OPTIONS", server_->Url(absl::StrCat(kBase, "/settings")),
              {absl::StrCat("Origin: ", origin), "Access-Control-Request-Method: PUT"});
    EXPECT_EQ(answer.status, 204) << origin;
    EXPECT_THAT(answer.Header("access-control-allow-origin"), IsEmpty()) << origin;
    EXPECT_THAT(answer.Header("access-control-allow-credentials"), IsEmpty()) << origin;
    HttpAnswer get = Fetch("GET", server_->Url(absl::StrCat(kBase, "/settings")),
                           {absl::StrCat("Origin: ", origin)});
    EXPECT_THAT(get.Header("access-control-allow-origin"), IsEmpty()) << origin;
  }
}

}  // namespace
}  // namespace backinstock::testing
