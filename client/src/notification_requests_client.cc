#include "backinstock/client/notification_requests_client.h"

#include <utility>

namespace backinstock::client {

absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>
NotificationRequestsClient::CreateBackInStockNotificationRequest(
    v1::BackInStockNotificationRequest request, v1::BackInStockItemDetails item_details,
    const CallOptions& options) {
  v1::CreateBackInStockNotificationRequestRequest create;
  *create.mutable_request() = std::move(request);
  *create.mutable_item_details() = std::move(item_details);
  return connection_->CreateBackInStockNotificationRequest(create, options);
}

absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>
NotificationRequestsClient::CreateBackInStockNotificationRequest(
    const v1::CreateBackInStockNotificationRequestRequest& request, const CallOptions& options) {
  return connection_->CreateBackInStockNotificationRequest(request, options);
}

absl::StatusOr<v1::GetBackInStockNotificationRequestResponse>
NotificationRequestsClient::GetBackInStockNotificationRequest(std::string id,
                                                              const CallOptions& options) {
  v1::GetBackInStockNotificationRequestRequest request;
  request.set_id(std::move(id));
  return connection_->GetBackInStockNotificationRequest(request, options);
}

absl::StatusOr<v1::GetBackInStockNotificationRequestResponse>
NotificationRequestsClient::GetBackInStockNotificationRequest(
    const v1::GetBackInStockNotificationRequestRequest& request, const CallOptions& options) {
  return connection_->GetBackInStockNotificationRequest(request, options);
}

absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>
NotificationRequestsClient::DeleteBackInStockNotificationRequest(std::string id,
                                                                 const CallOptions& options) {
  v1::DeleteBackInStockNotificationRequestRequest request;
  request.set_id(std::move(id));
  return connection_->DeleteBackInStockNotificationRequest(request, options);
}

absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>
NotificationRequestsClient::DeleteBackInStockNotificationRequest(
    const v1::DeleteBackInStockNotificationRequestRequest& request, const CallOptions& options) {
  return connection_->DeleteBackInStockNotificationRequest(request, options);
}

absl::StatusOr<v1::MarkAsNotificationSentResponse>
NotificationRequestsClient::MarkAsNotificationSent(std::string id, const CallOptions& options) {
  v1::MarkAsNotificationSentRequest request;
  request.set_id(std::move(id));
  return connection_->MarkAsNotificationSent(request, options);
}

absl::StatusOr<v1::MarkAsNotificationSentResponse>
NotificationRequestsClient::MarkAsNotificationSent(const v1::MarkAsNotificationSentRequest& request,
                                                   const CallOptions& options) {
  return connection_->MarkAsNotificationSent(request, options);
}

absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>
NotificationRequestsClient::QueryBackInStockNotificationRequests(v1::PlatformQuery query,
                                                                 const CallOptions& options) {
  v1::QueryBackInStockNotificationRequestsRequest request;
  *request.mutable_query() = std::move(query);
  return connection_->QueryBackInStockNotificationRequests(request, options);
}

absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>
NotificationRequestsClient::QueryBackInStockNotificationRequests(
    const v1::QueryBackInStockNotificationRequestsRequest& request, const CallOptions& options) {
  return connection_->QueryBackInStockNotificationRequests(request, options);
}

absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
NotificationRequestsClient::GetBackInStockNotificationRequestsCountByCatalogReferences(
    std::vector<v1::CatalogReference> catalog_references, const CallOptions& options) {
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest request;
  for (auto& reference : catalog_references) {
    *request.add_catalog_references() = std::move(reference);
  }
  return connection_->GetBackInStockNotificationRequestsCountByCatalogReferences(request, options);
}

absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
NotificationRequestsClient::GetBackInStockNotificationRequestsCountByCatalogReferences(
    const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
    const CallOptions& options) {
  return connection_->GetBackInStockNotificationRequestsCountByCatalogReferences(request, options);
}

absl::StatusOr<v1::ReportItemsBackInStockResponse>
NotificationRequestsClient::ReportItemsBackInStock(const v1::ReportItemsBackInStockRequest& request,
                                                   const CallOptions& options) {
  return connection_->ReportItemsBackInStock(request, options);
}

std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>
NotificationRequestsClient::WatchNotificationRequestEvents(const CallOptions& options) {
  return connection_->WatchNotificationRequestEvents(v1::WatchNotificationRequestEventsRequest(),
                                                     options);
}

std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>
NotificationRequestsClient::WatchNotificationRequestEvents(
    const v1::WatchNotificationRequestEventsRequest& request, const CallOptions& options) {
  return connection_->WatchNotificationRequestEvents(request, options);
}

absl::StatusOr<v1::EraseCustomerDataResponse> NotificationRequestsClient::EraseCustomerData(
    std::string email, const CallOptions& options) {
  v1::EraseCustomerDataRequest request;
  request.set_email(std::move(email));
  return connection_->EraseCustomerData(request, options);
}

absl::StatusOr<v1::EraseCustomerDataResponse> NotificationRequestsClient::EraseCustomerData(
    const v1::EraseCustomerDataRequest& request, const CallOptions& options) {
  return connection_->EraseCustomerData(request, options);
}

absl::StatusOr<v1::ExportCustomerDataResponse> NotificationRequestsClient::ExportCustomerData(
    std::string email, const CallOptions& options) {
  v1::ExportCustomerDataRequest request;
  request.set_email(std::move(email));
  return connection_->ExportCustomerData(request, options);
}

absl::StatusOr<v1::ExportCustomerDataResponse> NotificationRequestsClient::ExportCustomerData(
    const v1::ExportCustomerDataRequest& request, const CallOptions& options) {
  return connection_->ExportCustomerData(request, options);
}

}  // namespace backinstock::client
