// NotificationRequestsClient: customers' back-in-stock notification requests
// on the caller's site (backinstock.v1.BackInStockNotificationRequestService).
//
//   auto client = NotificationRequestsClient(MakeNotificationRequestsConnection(options));
//   auto created = client.CreateBackInStockNotificationRequest(request, item_details);
//   if (!created.ok() && ErrorReason(created.status()) == "REQUEST_COLLECTION_DISABLED") ...
//
// A cheap value type: copies share the connection, and are safe to use from
// several threads at once. Only the reads and MarkAsNotificationSent are
// retried on UNAVAILABLE: Create, Delete and Report are not idempotent.
#ifndef BACKINSTOCK_CLIENT_NOTIFICATION_REQUESTS_CLIENT_H_
#define BACKINSTOCK_CLIENT_NOTIFICATION_REQUESTS_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backinstock/client/notification_requests_connection.h"
#include "backinstock/client/options.h"
#include "backinstock/client/stream_reader.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::client {

class NotificationRequestsClient {
 public:
  explicit NotificationRequestsClient(std::shared_ptr<NotificationRequestsConnection> connection)
      : connection_(std::move(connection)) {}

  // Stores a request; the server fills id, status, contact id and created date.
  absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>
  CreateBackInStockNotificationRequest(v1::BackInStockNotificationRequest request,
                                       v1::BackInStockItemDetails item_details,
                                       const CallOptions& options = {});
  absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>
  CreateBackInStockNotificationRequest(
      const v1::CreateBackInStockNotificationRequestRequest& request,
      const CallOptions& options = {});

  // One request by id; NOT_FOUND when the site has none with that id.
  absl::StatusOr<v1::GetBackInStockNotificationRequestResponse> GetBackInStockNotificationRequest(
      std::string id, const CallOptions& options = {});
  absl::StatusOr<v1::GetBackInStockNotificationRequestResponse> GetBackInStockNotificationRequest(
      const v1::GetBackInStockNotificationRequestRequest& request, const CallOptions& options = {});

  // Deletes one request; NOT_FOUND when the site has none with that id.
  absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>
  DeleteBackInStockNotificationRequest(std::string id, const CallOptions& options = {});
  absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>
  DeleteBackInStockNotificationRequest(
      const v1::DeleteBackInStockNotificationRequestRequest& request,
      const CallOptions& options = {});

  // Records that the customer was notified by other means.
  absl::StatusOr<v1::MarkAsNotificationSentResponse> MarkAsNotificationSent(
      std::string id, const CallOptions& options = {});
  absl::StatusOr<v1::MarkAsNotificationSentResponse> MarkAsNotificationSent(
      const v1::MarkAsNotificationSentRequest& request, const CallOptions& options = {});

  // One page of the requests matching `query`; ask for the next page with
  // `cursor_paging.cursor` = the response's `metadata.cursors.next`.
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>
  QueryBackInStockNotificationRequests(v1::PlatformQuery query, const CallOptions& options = {});
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>
  QueryBackInStockNotificationRequests(
      const v1::QueryBackInStockNotificationRequestsRequest& request,
      const CallOptions& options = {});

  // The number of open (RECEIVED, PROCESSING) requests per catalog reference.
  absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
  GetBackInStockNotificationRequestsCountByCatalogReferences(
      std::vector<v1::CatalogReference> catalog_references, const CallOptions& options = {});
  absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
  GetBackInStockNotificationRequestsCountByCatalogReferences(
      const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
      const CallOptions& options = {});

  // Notifies the customers waiting for an item (give exactly one of
  // `catalog_reference` and `request_ids` in the request).
  absl::StatusOr<v1::ReportItemsBackInStockResponse> ReportItemsBackInStock(
      const v1::ReportItemsBackInStockRequest& request, const CallOptions& options = {});

  // Every change to the site's requests from now on, until cancelled or the
  // server shuts down.
  std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>
  WatchNotificationRequestEvents(const CallOptions& options = {});
  std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>
  WatchNotificationRequestEvents(const v1::WatchNotificationRequestEventsRequest& request,
                                 const CallOptions& options = {});

  // Personal data: deletes every request of the customer `email` (any
  // case) on the caller's site, answering once it is gone from the server's
  // storage; returns what the site holds about them. Both are retried on
  // UNAVAILABLE (an erase resent after it applied erases nothing more).
  absl::StatusOr<v1::EraseCustomerDataResponse> EraseCustomerData(std::string email,
                                                                  const CallOptions& options = {});
  absl::StatusOr<v1::EraseCustomerDataResponse> EraseCustomerData(
      const v1::EraseCustomerDataRequest& request, const CallOptions& options = {});
  absl::StatusOr<v1::ExportCustomerDataResponse> ExportCustomerData(
      std::string email, const CallOptions& options = {});
  absl::StatusOr<v1::ExportCustomerDataResponse> ExportCustomerData(
      const v1::ExportCustomerDataRequest& request, const CallOptions& options = {});

  friend bool operator==(const NotificationRequestsClient& a, const NotificationRequestsClient& b) {
    return a.connection_ == b.connection_;
  }
  friend bool operator!=(const NotificationRequestsClient& a, const NotificationRequestsClient& b) {
    return !(a == b);
  }

 private:
  std::shared_ptr<NotificationRequestsConnection> connection_;
};

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_NOTIFICATION_REQUESTS_CLIENT_H_
