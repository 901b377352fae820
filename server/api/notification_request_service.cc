#include "server/api/notification_request_service.h"

#include "backinstock/errors/error.h"
#include "server/api/finished_write_reactor.h"
#include "server/api/request_events_watch_reactor.h"
#include "server/api/unary.h"

namespace backinstock::api {

grpc::ServerUnaryReactor* NotificationRequestService::CreateBackInStockNotificationRequest(
    grpc::CallbackServerContext* context,
    const v1::CreateBackInStockNotificationRequestRequest* request,
    v1::CreateBackInStockNotificationRequestResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        absl::StatusOr<v1::BackInStockNotificationRequest> created =
            requests_->Create(caller.site, *request);
        if (!created.ok()) return created.status();
        *response->mutable_request() = *std::move(created);
        return absl::OkStatus();
      },
      Writes());
}

grpc::ServerUnaryReactor* NotificationRequestService::GetBackInStockNotificationRequest(
    grpc::CallbackServerContext* context,
    const v1::GetBackInStockNotificationRequestRequest* request,
    v1::GetBackInStockNotificationRequestResponse* response) {
  return Unary(*gate_, context,
               [this, request, response](const auth::Caller& caller) -> absl::Status {
                 absl::StatusOr<v1::BackInStockNotificationRequest> found =
                     requests_->Get(caller.site, request->id());
                 if (!found.ok()) return found.status();
                 *response->mutable_request() = *std::move(found);
                 return absl::OkStatus();
               });
}

grpc::ServerUnaryReactor* NotificationRequestService::DeleteBackInStockNotificationRequest(
    grpc::CallbackServerContext* context,
    const v1::DeleteBackInStockNotificationRequestRequest* request,
    v1::DeleteBackInStockNotificationRequestResponse* response) {
  return Unary(
      *gate_, context,
      [this, request](const auth::Caller& caller) {
        return requests_->Delete(caller.site, request->id());
      },
      Writes());
}

grpc::ServerUnaryReactor* NotificationRequestService::MarkAsNotificationSent(
    grpc::CallbackServerContext* context, const v1::MarkAsNotificationSentRequest* request,
    v1::MarkAsNotificationSentResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        absl::StatusOr<v1::BackInStockNotificationRequest> marked =
            requests_->MarkAsNotificationSent(caller.site, request->id());
        if (!marked.ok()) return marked.status();
        *response->mutable_request() = *std::move(marked);
        return absl::OkStatus();
      },
      Writes());
}

grpc::ServerUnaryReactor* NotificationRequestService::QueryBackInStockNotificationRequests(
    grpc::CallbackServerContext* context,
    const v1::QueryBackInStockNotificationRequestsRequest* request,
    v1::QueryBackInStockNotificationRequestsResponse* response) {
  // Off the callback threads: a page of a site near the cap scans all of its
  // requests, and two such scans would otherwise hold up every other call.
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        // In place: the response is on the call's arena (query_messages_).
        return requests_->QueryInto(caller.site, request->query(), response);
      },
      Offload{&queries_, "QUERY_QUEUE_FULL"});
}

grpc::ServerUnaryReactor*
NotificationRequestService::GetBackInStockNotificationRequestsCountByCatalogReferences(
    grpc::CallbackServerContext* context,
    const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest* request,
    v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse* response) {
  return Unary(*gate_, context,
               [this, request, response](const auth::Caller& caller) -> absl::Status {
                 // In place: the response is on the call's arena (count_messages_).
                 return requests_->CountInto(caller.site, *request, response);
               });
}

grpc::ServerUnaryReactor* NotificationRequestService::ReportItemsBackInStock(
    grpc::CallbackServerContext* context, const v1::ReportItemsBackInStockRequest* request,
    v1::ReportItemsBackInStockResponse* response) {
  // The report runs to the end even if the client cancels: a request it
  // claimed is never left in PROCESSING.
  return Unary(
      *gate_, context,
      [this, request](const auth::Caller& caller) {
        return requests_->Report(caller.site, *request);
      },
      Offload{&reports_, "REPORT_QUEUE_FULL"});
}

grpc::ServerWriteReactor<v1::WatchNotificationRequestEventsResponse>*
NotificationRequestService::WatchNotificationRequestEvents(
    grpc::CallbackServerContext* context,
    const v1::WatchNotificationRequestEventsRequest* request) {
  absl::StatusOr<auth::Gate::AdmittedStream> admitted = gate_->AdmitStream(context);
  if (!admitted.ok()) {
    return new FinishedWriteReactor<v1::WatchNotificationRequestEventsResponse>(
        errors::ToGrpcStatus(admitted.status()));
  }
  return RequestEventsWatchReactor::Start(admitted->caller.site, admitted->credentials, store_,
                                          streams_, options_.max_queued_events);
}

grpc::ServerUnaryReactor* NotificationRequestService::EraseCustomerData(
    grpc::CallbackServerContext* context, const v1::EraseCustomerDataRequest* request,
    v1::EraseCustomerDataResponse* response) {
  // Like a report, it runs to the end even if the client cancels.
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        absl::StatusOr<v1::EraseCustomerDataResponse> erased =
            requests_->EraseCustomerData(caller.site, *request);
        if (!erased.ok()) return erased.status();
        *response = *std::move(erased);
        return absl::OkStatus();
      },
      Offload{&reports_, "SERVER_BUSY"});
}

grpc::ServerUnaryReactor* NotificationRequestService::ExportCustomerData(
    grpc::CallbackServerContext* context, const v1::ExportCustomerDataRequest* request,
    v1::ExportCustomerDataResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        absl::StatusOr<v1::ExportCustomerDataResponse> exported =
            requests_->ExportCustomerData(caller.site, *request);
        if (!exported.ok()) return exported.status();
        *response = *std::move(exported);
        return absl::OkStatus();
      },
      Offload{&queries_, "QUERY_QUEUE_FULL"});
}

}  // namespace backinstock::api
