// The route table read from the real descriptors: every RPC is routed as
// the google.api.http annotations say, literals win over {id}, unserved services are marked.
#include "server/http/route_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"

namespace backinstock::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kBase[] = "/v1/back-in-stock-notification-requests";

std::vector<const google::protobuf::ServiceDescriptor*> AllServices() {
  return {v1::GetSettingsRequest::descriptor()->file()->service(0),
          v1::GetBackInStockNotificationRequestRequest::descriptor()->file()->service(0),
          v1::GetEmailTemplateRequest::descriptor()->file()->service(0)};
}

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = RouteTable::FromDescriptors(
        AllServices(), {"backinstock.v1.BackInStockSettingsService",
                        "backinstock.v1.BackInStockNotificationRequestService"});
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = *std::move(table);
  }

  // The method a verb and path reach, "" for none.
  std::string MethodOf(const std::string& verb, const std::string& path) {
    RouteMatch match;
    bool exists = false;
    const Route* route = table_.Match(verb, path, &match, &exists);
    return route == nullptr ? "" : route->method->name();
  }

  RouteTable table_;
};

TEST_F(RouteTableTest, EveryRouteOfTheSpecTable) {
  const std::string b = kBase;
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"PUT", b + "/settings", "GetSettings"},
      {"GET", b + "/settings", "GetSettings"},
      {"POST", b + "/settings/start-collecting", "StartCollectingRequests"},
      {"POST", b + "/settings/stop-collecting", "StopCollectingRequests"},
      {"POST", b, "CreateBackInStockNotificationRequest"},
      {"GET", b + "/abc", "GetBackInStockNotificationRequest"},
      {"DELETE", b + "/abc", "DeleteBackInStockNotificationRequest"},
      {"PUT", b + "/abc/mark-as-notification-sent", "MarkAsNotificationSent"},
      {"GET", b, "QueryBackInStockNotificationRequests"},
      {"POST", b + "/query", "QueryBackInStockNotificationRequests"},
      {"GET", b + "/count-by-catalog-reference",
       "GetBackInStockNotificationRequestsCountByCatalogReferences"},
      {"POST", b + "/count-by-catalog-reference",
       "GetBackInStockNotificationRequestsCountByCatalogReferences"},
      {"POST", b + "/report-items-back-in-stock", "ReportItemsBackInStock"},
      {"POST", b + "/erase-customer-data", "EraseCustomerData"},
      {"POST", b + "/export-customer-data", "ExportCustomerData"},
      {"GET", b + "/settings/watch", "WatchSettings"},
      {"GET", b + "/events", "WatchNotificationRequestEvents"},
      {"GET", b + "/email-template", "GetEmailTemplate"},
      {"PATCH", b + "/email-template", "UpdateEmailTemplate"},
      {"POST", b + "/email-template/preview", "RenderEmailPreview"},
      {"POST", b + "/email-template/send-test", "SendTestEmail"},
  };
  for (const auto& [verb, path, method] : expected) {
    EXPECT_EQ(MethodOf(verb, path), method) << verb << " " << path;
  }
  // Every method of every service has at least one route.
  for (const auto* service : AllServices()) {
    for (int m = 0; m < service->method_count(); ++m) {
      bool routed = false;
      for (const Route& route : table_.routes()) routed |= route.method == service->method(m);
      EXPECT_TRUE(routed) << service->method(m)->full_name();
    }
  }
}

TEST_F(RouteTableTest, LiteralsWinOverVariables) {
  const std::string b = kBase;
  EXPECT_EQ(MethodOf("GET", b + "/count-by-catalog-reference"),
            "GetBackInStockNotificationRequestsCountByCatalogReferences");
  EXPECT_EQ(MethodOf("GET", b + "/events"), "WatchNotificationRequestEvents");
  // A verb the literal path does not serve is not taken as an {id} call.
  RouteMatch match;
  bool exists = false;
  EXPECT_EQ(table_.Match("DELETE", b + "/settings", &match, &exists), nullptr);
  EXPECT_TRUE(exists);
  EXPECT_THAT(table_.VerbsFor(b + "/settings"), ElementsAre("PUT", "GET"));
  EXPECT_EQ(table_.Match("GET", b + "/nothing/here/at-all", &match, &exists), nullptr);
  EXPECT_FALSE(exists);
}

TEST_F(RouteTableTest, PathVariablesAreCaptured) {
  RouteMatch match;
  bool exists = false;
  ASSERT_NE(
      table_.Match("PUT", std::string(kBase) + "/r-1/mark-as-notification-sent", &match, &exists),
      nullptr);
  EXPECT_THAT(match.path_params, ElementsAre(Pair("id", "r-1")));
  // An empty segment is no id.
  EXPECT_EQ(table_.Match("GET", std::string(kBase) + "/", &match, &exists), nullptr);
}

TEST_F(RouteTableTest, UnservedServicesAreMarked) {
  RouteMatch match;
  bool exists = false;
  const Route* route = table_.Match("GET", std::string(kBase) + "/email-template", &match, &exists);
  ASSERT_NE(route, nullptr);
  EXPECT_FALSE(route->served);
  route = table_.Match("GET", std::string(kBase) + "/settings", &match, &exists);
  ASSERT_NE(route, nullptr);
  EXPECT_TRUE(route->served);
}

TEST(PathTemplateTest, RefusesWhatTheFrontCannotServe) {
  EXPECT_TRUE(ParsePathTemplate("/v1/x/{id}").ok());
  EXPECT_FALSE(ParsePathTemplate("v1/x").ok());
  EXPECT_FALSE(ParsePathTemplate("/v1/{id=things/*}").ok());
  EXPECT_FALSE(ParsePathTemplate("/v1/x:custom").ok());
  EXPECT_FALSE(ParsePathTemplate("/v1//x").ok());
}

}  // namespace
}  // namespace backinstock::http
