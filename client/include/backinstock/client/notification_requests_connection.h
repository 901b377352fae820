// The transport under NotificationRequestsClient: one virtual function per RPC
// of backinstock.v1.BackInStockNotificationRequestService. Tests of code that
// uses the client substitute
// backinstock::client::mocks::MockNotificationRequestsConnection.
#ifndef BACKINSTOCK_CLIENT_NOTIFICATION_REQUESTS_CONNECTION_H_
#define BACKINSTOCK_CLIENT_NOTIFICATION_REQUESTS_CONNECTION_H_

#include <grpcpp/channel.h>

#include <memory>

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "backinstock/client/stream_reader.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::client {

class NotificationRequestsConnection {
 public:
  virtual ~NotificationRequestsConnection() = default;

  virtual absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>
  CreateBackInStockNotificationRequest(
      const v1::CreateBackInStockNotificationRequestRequest& request,
      const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::GetBackInStockNotificationRequestResponse>
  GetBackInStockNotificationRequest(const v1::GetBackInStockNotificationRequestRequest& request,
                                    const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>
  DeleteBackInStockNotificationRequest(
      const v1::DeleteBackInStockNotificationRequestRequest& request,
      const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::MarkAsNotificationSentResponse> MarkAsNotificationSent(
      const v1::MarkAsNotificationSentRequest& request, const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>
  QueryBackInStockNotificationRequests(
      const v1::QueryBackInStockNotificationRequestsRequest& request,
      const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
  GetBackInStockNotificationRequestsCountByCatalogReferences(
      const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
      const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::ReportItemsBackInStockResponse> ReportItemsBackInStock(
      const v1::ReportItemsBackInStockRequest& request, const CallOptions& options) = 0;
  virtual std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>
  WatchNotificationRequestEvents(const v1::WatchNotificationRequestEventsRequest& request,
                                 const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::EraseCustomerDataResponse> EraseCustomerData(
      const v1::EraseCustomerDataRequest& request, const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::ExportCustomerDataResponse> ExportCustomerData(
      const v1::ExportCustomerDataRequest& request, const CallOptions& options) = 0;
};

// A connection over a channel of its own.
std::shared_ptr<NotificationRequestsConnection> MakeNotificationRequestsConnection(
    ConnectionOptions options);

// A connection over `channel` (from MakeChannel(options), typically shared).
std::shared_ptr<NotificationRequestsConnection> MakeNotificationRequestsConnection(
    std::shared_ptr<grpc::Channel> channel, ConnectionOptions options);

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_NOTIFICATION_REQUESTS_CONNECTION_H_
