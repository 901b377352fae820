// The HTTP/JSON front serves EraseCustomerData and ExportCustomerData at the
// routes of their google.api.http annotations: each answer's JSON equals what
// the same call over gRPC gives, and errors use the front's envelope.
#include <gtest/gtest.h>

#include "tests/e2e/http/front_fixture.h"
#include "tests/e2e/personal_data/customer_data_calls.h"

namespace backinstock::testing {
namespace {

constexpr char kBase[] = "/v1/back-in-stock-notification-requests";
constexpr char kSite[] = "pd-http";

TEST(CustomerDataHttpTest, EraseAndExportRoutesAnswerAsGrpcDoes) {
  std::unique_ptr<FrontServer> server = FrontServer::Start();
  ASSERT_NE(server, nullptr);
  const Credentials owner = As(kSite, "user");
  SettingsCalls settings(server->channel());
  RequestCalls calls(server->channel());
  CustomerDataCalls data(server->channel());
  ASSERT_TRUE(settings.Set(owner, true).ok());
  auto created = calls.Create(As(kSite, "visitor"), "mug", "Jo@Example.com");
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(calls.Create(As(kSite, "visitor"), "mug", "someone@example.com").ok());

  const std::string body = R"({"email":"jo@example.com"})";
  HttpAnswer exported = Fetch("POST", server->Url(absl::StrCat(kBase, "/export-customer-data")),
                              AuthHeaders(owner), body, true);
  ASSERT_EQ(exported.status, 200) << exported.body;
  auto expected_export = data.Export(owner, "jo@example.com");
  ASSERT_TRUE(expected_export.ok());
  EXPECT_EQ(exported.Json(), JsonOf(*expected_export));
  ASSERT_EQ(exported.Json()["requests"].size(), 1u);
  EXPECT_EQ(exported.Json()["requests"][0]["id"], created->id());

  HttpAnswer refused = Fetch("POST", server->Url(absl::StrCat(kBase, "/erase-customer-data")),
                             AuthHeaders(As(kSite, "visitor")), body, true);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.Code(), "ELEVATION_REQUIRED");

  HttpAnswer invalid = Fetch("POST", server->Url(absl::StrCat(kBase, "/erase-customer-data")),
                             AuthHeaders(owner), R"({"email":"nope"})", true);
  EXPECT_EQ(invalid.status, 400) << invalid.body;
  EXPECT_EQ(invalid.Json()["details"]["validationError"]["fieldViolations"][0]["field"], "email");

  HttpAnswer erased = Fetch("POST", server->Url(absl::StrCat(kBase, "/erase-customer-data")),
                            AuthHeaders(owner), body, true);
  ASSERT_EQ(erased.status, 200) << erased.body;
  v1::EraseCustomerDataResponse expected_erase;
  expected_erase.set_erased_count(1);
  expected_erase.add_erased_request_ids(created->id());
  EXPECT_EQ(erased.Json(), JsonOf(expected_erase));
  EXPECT_EQ(calls.Get(owner, created->id()).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace backinstock::testing
