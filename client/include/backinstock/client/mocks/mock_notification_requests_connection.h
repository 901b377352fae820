// A gMock NotificationRequestsConnection: build a NotificationRequestsClient
// over it to test code that uses the client without a server.
#ifndef BACKINSTOCK_CLIENT_MOCKS_MOCK_NOTIFICATION_REQUESTS_CONNECTION_H_
#define BACKINSTOCK_CLIENT_MOCKS_MOCK_NOTIFICATION_REQUESTS_CONNECTION_H_

#include <gmock/gmock.h>

#include <memory>

#include "backinstock/client/notification_requests_connection.h"

namespace backinstock::client::mocks {

class MockNotificationRequestsConnection : public NotificationRequestsConnection {
 public:
  MOCK_METHOD(absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>,
              CreateBackInStockNotificationRequest,
              (const v1::CreateBackInStockNotificationRequestRequest& request,
               const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::GetBackInStockNotificationRequestResponse>,
              GetBackInStockNotificationRequest,
              (const v1::GetBackInStockNotificationRequestRequest& request,
               const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>,
              DeleteBackInStockNotificationRequest,
              (const v1::DeleteBackInStockNotificationRequestRequest& request,
               const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::MarkAsNotificationSentResponse>, MarkAsNotificationSent,
              (const v1::MarkAsNotificationSentRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>,
              QueryBackInStockNotificationRequests,
              (const v1::QueryBackInStockNotificationRequestsRequest& request,
               const CallOptions& options),
              (override));
  MOCK_METHOD(
      absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>,
      GetBackInStockNotificationRequestsCountByCatalogReferences,
      (const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
       const CallOptions& options),
      (override));
  MOCK_METHOD(absl::StatusOr<v1::ReportItemsBackInStockResponse>, ReportItemsBackInStock,
              (const v1::ReportItemsBackInStockRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>,
              WatchNotificationRequestEvents,
              (const v1::WatchNotificationRequestEventsRequest& request,
               const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::EraseCustomerDataResponse>, EraseCustomerData,
              (const v1::EraseCustomerDataRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::ExportCustomerDataResponse>, ExportCustomerData,
              (const v1::ExportCustomerDataRequest& request, const CallOptions& options),
              (override));
};

}  // namespace backinstock::client::mocks

#endif  // BACKINSTOCK_CLIENT_MOCKS_MOCK_NOTIFICATION_REQUESTS_CONNECTION_H_
