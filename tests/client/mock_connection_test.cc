// The mocks users test their own code with: a client over a mocked connection
// passes requests and call options through, and hands back what the
// connection returns, errors included.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backinstock/client/error.h"
#include "backinstock/client/mocks/mock_notification_requests_connection.h"
#include "backinstock/client/mocks/mock_settings_connection.h"
#include "backinstock/client/mocks/mock_stream_reader.h"
#include "backinstock/client/notification_requests_client.h"
#include "backinstock/client/settings_client.h"
#include "backinstock/errors/error.h"

namespace backinstock::testing {
namespace {

using client::mocks::MockNotificationRequestsConnection;
using client::mocks::MockSettingsConnection;
using client::mocks::MockStreamReader;
using ::testing::_;
using ::testing::ByMove;
using ::testing::DoAll;
using ::testing::Field;
using ::testing::Optional;
using ::testing::Property;
using ::testing::Return;
using ::testing::SetArgPointee;

TEST(MockSettingsConnectionTest, ClientBuildsTheRequestAndPassesCallOptions) {
  auto mock = std::make_shared<MockSettingsConnection>();
  v1::StartCollectingRequestsResponse response;
  response.mutable_settings()->set_revision(3);
  EXPECT_CALL(*mock, StartCollectingRequests(
                         Property(&v1::StartCollectingRequestsRequest::app_id, "app-1"),
                         Field(&client::CallOptions::elevation_token, Optional(std::string("e")))))
      .WillOnce(Return(response));

  client::SettingsClient settings(mock);
  client::CallOptions options;
  options.elevation_token = "e";
  auto result = settings.StartCollectingRequests("app-1", options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->settings().revision(), 3);
}

TEST(MockSettingsConnectionTest, ErrorsComeBackWithTheirReason) {
  auto mock = std::make_shared<MockSettingsConnection>();
  EXPECT_CALL(*mock, GetSettings)
      .WillOnce(Return(errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED",
                                     "no", {{"permission", "P"}})));
  auto result = client::SettingsClient(mock).GetSettings();
  EXPECT_EQ(result.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(client::ErrorReason(result.status()), "ELEVATION_REQUIRED");
  EXPECT_EQ(client::ErrorInfo(result.status())->metadata().at("permission"), "P");
}

TEST(MockSettingsConnectionTest, StreamsCanBeMocked) {
  auto mock = std::make_shared<MockSettingsConnection>();
  auto reader = std::make_unique<MockStreamReader<v1::WatchSettingsResponse>>();
  v1::WatchSettingsResponse first;
  first.mutable_settings()->set_revision(1);
  EXPECT_CALL(*reader, Read(_))
      .WillOnce(DoAll(SetArgPointee<0>(first), Return(true)))
      .WillOnce(Return(false));
  EXPECT_CALL(*reader, Finish()).WillOnce(Return(absl::OkStatus()));
  EXPECT_CALL(*mock, WatchSettings).WillOnce(Return(ByMove(std::move(reader))));

  auto stream = client::SettingsClient(mock).WatchSettings();
  v1::WatchSettingsResponse message;
  ASSERT_TRUE(stream->Read(&message));
  EXPECT_EQ(message.settings().revision(), 1);
  EXPECT_FALSE(stream->Read(&message));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST(MockNotificationRequestsConnectionTest, ConvenienceOverloadsFillTheRequest) {
  auto mock = std::make_shared<MockNotificationRequestsConnection>();
  EXPECT_CALL(*mock, GetBackInStockNotificationRequest(
                         Property(&v1::GetBackInStockNotificationRequestRequest::id, "r-1"), _))
      .WillOnce(Return(v1::GetBackInStockNotificationRequestResponse()));
  EXPECT_CALL(*mock, DeleteBackInStockNotificationRequest(
                         Property(&v1::DeleteBackInStockNotificationRequestRequest::id, "r-2"), _))
      .WillOnce(Return(v1::DeleteBackInStockNotificationRequestResponse()));
  EXPECT_CALL(*mock,
              MarkAsNotificationSent(Property(&v1::MarkAsNotificationSentRequest::id, "r-3"), _))
      .WillOnce(Return(v1::MarkAsNotificationSentResponse()));
  EXPECT_CALL(*mock, CreateBackInStockNotificationRequest(
                         Property(&v1::CreateBackInStockNotificationRequestRequest::item_details,
                                  Property(&v1::BackInStockItemDetails::name, "Mug")),
                         _))
      .WillOnce(Return(v1::CreateBackInStockNotificationRequestResponse()));
  EXPECT_CALL(*mock,
              GetBackInStockNotificationRequestsCountByCatalogReferences(
                  Property(&v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest::
                               catalog_references_size,
                           2),
                  _))
      .WillOnce(Return(v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse()));
  EXPECT_CALL(*mock, QueryBackInStockNotificationRequests(
                         Property(&v1::QueryBackInStockNotificationRequestsRequest::query,
                                  Property(&v1::PlatformQuery::cursor_paging,
                                           Property(&v1::CursorPaging::limit, 10))),
                         _))
      .WillOnce(Return(v1::QueryBackInStockNotificationRequestsResponse()));
  EXPECT_CALL(*mock,
              EraseCustomerData(Property(&v1::EraseCustomerDataRequest::email, "a@example.com"), _))
      .WillOnce(Return(v1::EraseCustomerDataResponse()));
  EXPECT_CALL(*mock, ExportCustomerData(
                         Property(&v1::ExportCustomerDataRequest::email, "b@example.com"), _))
      .WillOnce(Return(v1::ExportCustomerDataResponse()));

  client::NotificationRequestsClient requests(mock);
  EXPECT_TRUE(requests.EraseCustomerData("a@example.com").ok());
  EXPECT_TRUE(requests.ExportCustomerData("b@example.com").ok());
  EXPECT_TRUE(requests.GetBackInStockNotificationRequest("r-1").ok());
  EXPECT_TRUE(requests.DeleteBackInStockNotificationRequest("r-2").ok());
  EXPECT_TRUE(requests.MarkAsNotificationSent("r-3").ok());
  v1::BackInStockItemDetails details;
  details.set_name("Mug");
  EXPECT_TRUE(requests.CreateBackInStockNotificationRequest({}, details).ok());
  EXPECT_TRUE(requests
                  .GetBackInStockNotificationRequestsCountByCatalogReferences(
                      {v1::CatalogReference(), v1::CatalogReference()})
                  .ok());
  v1::PlatformQuery query;
  query.mutable_cursor_paging()->set_limit(10);
  EXPECT_TRUE(requests.QueryBackInStockNotificationRequests(query).ok());
}

}  // namespace
}  // namespace backinstock::testing
