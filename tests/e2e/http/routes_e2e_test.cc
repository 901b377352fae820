// Every google.api.http route of the protos, bare and under /back-in-stock-service,
// against the real server: each answer's JSON equals what the same call over
// gRPC gives, and every answer carries x-wix-request-id.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/e2e/http/front_fixture.h"

namespace backinstock::testing {
namespace {

using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kBase[] = "/v1/back-in-stock-notification-requests";

class RoutesTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() { server_ = FrontServer::Start().release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    site_ = absl::StrCat("routes-", GetParam().empty() ? "bare" : "prefixed", "-",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : site_) {
      if (c == '/') c = '-';
    }
    owner_ = As(site_, "user");
  }

  // A call through the front, under the prefix this instance tests.
  HttpAnswer Call(const std::string& method, const std::string& path, const std::string& body = "",
                  bool with_body = false, std::vector<std::string> headers = {}) {
    std::vector<std::string> all = AuthHeaders(owner_);
    all.insert(all.end(), headers.begin(), headers.end());
    HttpAnswer answer = Fetch(method, server_->Url(GetParam() + path), all, body, with_body);
    EXPECT_THAT(answer.Header("x-wix-request-id"), Not(IsEmpty())) << method << " " << path;
    return answer;
  }

  static FrontServer* server_;
  std::string site_;
  Credentials owner_;
};

FrontServer* RoutesTest::server_ = nullptr;

TEST_P(RoutesTest, SettingsRoutesAnswerAsGrpcDoes) {
  SettingsCalls grpc_settings(server_->channel());
  for (const char* verb : {"PUT", "GET"}) {
    HttpAnswer answer = Call(verb, absl::StrCat(kBase, "/settings"),
                             verb == std::string("PUT") ? "{}" : "", verb == std::string("PUT"));
    ASSERT_EQ(answer.status, 200) << verb << " " << answer.body;
    v1::GetSettingsResponse expected;
    *expected.mutable_settings() = *grpc_settings.Get(owner_);
    EXPECT_EQ(answer.Json(), JsonOf(expected)) << verb;
    // Defaults are printed, as Wix's answers print them.
    EXPECT_EQ(answer.Json()["settings"]["collectionStates"][0]["collectingRequests"], false);
    EXPECT_EQ(answer.Json()["settings"]["revision"], "0");
  }

  HttpAnswer started = Call("POST", absl::StrCat(kBase, "/settings/start-collecting"),
                            absl::StrCat(R"({"appId":")", kStoresApp, R"("})"), true);
  ASSERT_EQ(started.status, 200) << started.body;
  v1::StartCollectingRequestsResponse after_start;
  *after_start.mutable_settings() = *grpc_settings.Get(owner_);
  EXPECT_EQ(started.Json(), JsonOf(after_start));
  EXPECT_EQ(started.Json()["settings"]["collectionStates"][0]["collectingRequests"], true);

  HttpAnswer stopped =
      Call("POST", absl::StrCat(kBase, "/settings/stop-collecting"),
           absl::StrCat(R"({"appId":")", kStoresApp, R"(","unknownField":1})"), true);
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  v1::StopCollectingRequestsResponse after_stop;
  *after_stop.mutable_settings() = *grpc_settings.Get(owner_);
  EXPECT_EQ(stopped.Json(), JsonOf(after_stop));
  EXPECT_EQ(stopped.Json()["settings"]["revision"], "2");
}

TEST_P(RoutesTest, RequestRoutesAnswerAsGrpcDoes) {
  SettingsCalls grpc_settings(server_->channel());
  RequestCalls grpc_requests(server_->channel());
  ASSERT_TRUE(grpc_settings.Set(owner_, true).ok());

  const std::string create_body = absl::StrCat(
      R"({"request":{"catalogReference":{"catalogItemId":"shirt","appId":")", kStoresApp,
      R"(","options":{"color":"blue"}},"email":"ann@example.com","itemUrl":"https://shop.example/shirt"},)",
      R"("itemDetails":{"name":"Shirt","price":"10.00"}})");
  HttpAnswer created = Call("POST", kBase, create_body, true);
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string id = created.Json()["request"]["id"];
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(created.Json()["request"]["status"], "RECEIVED");
  EXPECT_FALSE(created.Json()["request"].contains("autoNotified"));  // wrappers stay absent

  // Get, with the id repeated in the query string as Wix's SDK sends it.
  HttpAnswer got = Call("GET", absl::StrCat(kBase, "/", id, "?id=", id));
  ASSERT_EQ(got.status, 200) << got.body;
  v1::GetBackInStockNotificationRequestResponse expected_get;
  *expected_get.mutable_request() = *grpc_requests.Get(owner_, id);
  EXPECT_EQ(got.Json(), JsonOf(expected_get));
  EXPECT_EQ(got.Json()["request"], created.Json()["request"]);
  // A different id in the query string is refused, naming the field.
  HttpAnswer mismatch = Call("GET", absl::StrCat(kBase, "/", id, "?id=other"));
  EXPECT_EQ(mismatch.status, 400) << mismatch.body;
  EXPECT_EQ(mismatch.Json()["details"]["validationError"]["fieldViolations"][0]["field"], "id");

  // Count: GET with `.r=`, and POST.
  const std::string count_json =
      absl::StrCat(R"({"catalogReferences":[{"catalogItemId":"shirt","appId":")", kStoresApp,
                   R"(","options":{"color":"blue"}}]})");
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest count_request;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(count_json, &count_request).ok());
  grpc::ClientContext count_context;
  Authorize(count_context, owner_.identity, owner_.elevation);
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse expected_count;
  ASSERT_TRUE(grpc_requests.stub()
                  .GetBackInStockNotificationRequestsCountByCatalogReferences(
                      &count_context, count_request, &expected_count)
                  .ok());
  HttpAnswer counted_get =
      Call("GET", absl::StrCat(kBase, "/count-by-catalog-reference?.r=", Base64Url(count_json)));
  ASSERT_EQ(counted_get.status, 200) << counted_get.body;
  EXPECT_EQ(counted_get.Json(), JsonOf(expected_count));
  EXPECT_EQ(counted_get.Json()["countsPerCatalogReference"][0]["count"], 1);
  HttpAnswer counted_post =
      Call("POST", absl::StrCat(kBase, "/count-by-catalog-reference"), count_json, true);
  ASSERT_EQ(counted_post.status, 200) << counted_post.body;
  EXPECT_EQ(counted_post.Json(), JsonOf(expected_count));

  // Query: GET with `.r=`, GET with plain parameters, POST .../query.
  const std::string query_json =
      R"({"query":{"filter":{"status":"RECEIVED"},"cursorPaging":{"limit":10}}})";
  v1::QueryBackInStockNotificationRequestsRequest query_request;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(query_json, &query_request).ok());
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> expected_query =
      grpc_requests.Query(owner_, query_request.query());
  ASSERT_TRUE(expected_query.ok()) << expected_query.status();
  HttpAnswer queried_r = Call("GET", absl::StrCat(kBase, "?.r=", Base64Url(query_json)));
  ASSERT_EQ(queried_r.status, 200) << queried_r.body;
  EXPECT_EQ(queried_r.Json(), JsonOf(*expected_query));
  EXPECT_EQ(queried_r.Json()["requests"].size(), 1u);
  HttpAnswer queried_params = Call(
      "GET",
      absl::StrCat(
          kBase, "?query.filter=%7B%22status%22%3A%22RECEIVED%22%7D&query.cursorPaging.limit=10"));
  ASSERT_EQ(queried_params.status, 200) << queried_params.body;
  EXPECT_EQ(queried_params.Json(), JsonOf(*expected_query));
  HttpAnswer queried_post = Call("POST", absl::StrCat(kBase, "/query"), query_json, true);
  ASSERT_EQ(queried_post.status, 200) << queried_post.body;
  EXPECT_EQ(queried_post.Json(), JsonOf(*expected_query));

  // Mark as sent (the id also in the body, as the SDK sends it).
  HttpAnswer marked = Call("PUT", absl::StrCat(kBase, "/", id, "/mark-as-notification-sent"),
                           absl::StrCat(R"({"id":")", id, R"("})"), true);
  ASSERT_EQ(marked.status, 200) << marked.body;
  v1::MarkAsNotificationSentResponse expected_mark;
  *expected_mark.mutable_request() = *grpc_requests.Get(owner_, id);
  EXPECT_EQ(marked.Json(), JsonOf(expected_mark));
  EXPECT_EQ(marked.Json()["request"]["status"], "NOTIFICATION_SENT");
  EXPECT_EQ(marked.Json()["request"]["autoNotified"], false);

  // Report: an empty answer is `{}`.
  absl::StatusOr<NotificationRequest> second =
      grpc_requests.Create(owner_, "hat", "bob@example.com");
  ASSERT_TRUE(second.ok()) << second.status();
  HttpAnswer reported =
      Call("POST", absl::StrCat(kBase, "/report-items-back-in-stock"),
           absl::StrCat(R"({"itemDetails":{"name":"Hat","price":"5"},"requestIds":[")",
                        second->id(), R"("]})"),
           true);
  ASSERT_EQ(reported.status, 200) << reported.body;
  EXPECT_EQ(reported.Json(), nlohmann::json::object());
  ASSERT_TRUE(Eventually([&] {
    auto after = grpc_requests.Get(owner_, second->id());
    return after.ok() && after->status() == NotificationRequest::NOTIFICATION_SENT;
  }));

  // Delete, then the id is gone: 404 with the reason.
  HttpAnswer deleted = Call("DELETE", absl::StrCat(kBase, "/", id, "?id=", id));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json(), nlohmann::json::object());
  HttpAnswer gone = Call("GET", absl::StrCat(kBase, "/", id));
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(gone.Code(), "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND");
}

TEST_P(RoutesTest, UnknownPathsAndVerbs) {
  HttpAnswer unknown = Call("GET", "/v1/nothing-here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Code(), "ROUTE_NOT_FOUND");
  // Literal sub-paths win over {id}: DELETE .../settings is not a Delete of id "settings".
  HttpAnswer wrong_verb = Call("DELETE", absl::StrCat(kBase, "/settings"));
  EXPECT_EQ(wrong_verb.status, 405) << wrong_verb.body;
  EXPECT_EQ(wrong_verb.Header("allow"), "PUT, GET");
}

// The email service's routes: read the default template, change one field
// with a mask, preview it; literal sub-paths never read as an {id}.
TEST_P(RoutesTest, EmailTemplateRoutes) {
  HttpAnswer initial = Call("GET", absl::StrCat(kBase, "/email-template"));
  ASSERT_EQ(initial.status, 200) << initial.body;
  EXPECT_EQ(initial.Json()["template"]["subject"], "{{item.name}} is back in stock");
  EXPECT_EQ(initial.Json()["template"]["revision"], "0");

  HttpAnswer updated = Call(
      "PATCH", absl::StrCat(kBase, "/email-template"),
      R"({"template":{"heading":"Good news","footer":"ignored"},"updateMask":"heading"})", true);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()["template"]["heading"], "Good news");
  EXPECT_EQ(updated.Json()["template"]["footer"], initial.Json()["template"]["footer"]);
  EXPECT_EQ(updated.Json()["template"]["revision"], "1");

  HttpAnswer stale = Call("PATCH", absl::StrCat(kBase, "/email-template"),
                          R"({"template":{"heading":"x"},"updateMask":"heading",)"
                          R"("expectedRevision":"7"})",
                          true);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(stale.Code(), "REVISION_MISMATCH");

  HttpAnswer preview = Call("POST", absl::StrCat(kBase, "/email-template/preview"),
                            R"({"itemDetails":{"name":"Blue <shirt>","price":"9.50"}})", true);
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.Json()["subject"], "Blue <shirt> is back in stock");
  EXPECT_THAT(preview.Json()["html"].get<std::string>(),
              ::testing::HasSubstr("Blue &lt;shirt&gt;"));
  EXPECT_THAT(preview.Json()["html"].get<std::string>(), ::testing::HasSubstr("Good news"));
}

INSTANTIATE_TEST_SUITE_P(Prefixes, RoutesTest, ::testing::Values("", "/back-in-stock-service"),
                         [](const auto& info) { return info.param.empty() ? "Bare" : "Prefixed"; });

}  // namespace
}  // namespace backinstock::testing
