// The gRPC adaptor of BackInStockNotificationRequestService: admit, decode,
// call the domain, encode. ReportItemsBackInStock runs the notifier, so it is
// handed to a small work queue and its reply sent from there; a query scans up
// to the per-site cap of requests (milliseconds for a large site), so it has a
// queue of its own; every other handler answers on the callback thread.
#ifndef BACKINSTOCK_SERVER_API_NOTIFICATION_REQUEST_SERVICE_H_
#define BACKINSTOCK_SERVER_API_NOTIFICATION_REQUEST_SERVICE_H_

#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "server/api/arena_message_allocator.h"
#include "server/api/stream_tracker.h"
#include "server/api/unary.h"
#include "server/api/work_queue.h"
#include "server/auth/gate.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/store/notification_request_store.h"

namespace backinstock::api {

struct NotificationRequestServiceOptions {
  // Threads that run reports, and reports that may wait for one; a report
  // beyond that is refused with RESOURCE_EXHAUSTED (REPORT_QUEUE_FULL).
  int report_threads = 2;
  size_t max_queued_reports = 64;
  // Threads that run queries, and queries that may wait for one; a query
  // beyond that is refused with RESOURCE_EXHAUSTED (QUERY_QUEUE_FULL).
  int query_threads = 2;
  size_t max_queued_queries = 128;
  // Events one watcher may fall behind before it is ended (WATCHER_TOO_SLOW).
  size_t max_queued_events = 1024;
};

class NotificationRequestService final
    : public v1::BackInStockNotificationRequestService::CallbackService {
 public:
  // Everything passed in must outlive the service. The service itself must
  // outlive the grpc::Server (its destructor waits for reports in progress).
  NotificationRequestService(const auth::Gate* gate, domain::NotificationRequestManager* requests,
                             store::NotificationRequestStore* store, StreamTracker* streams,
                             NotificationRequestServiceOptions options = {},
                             WorkQueue* blocking_writes = nullptr)
      : gate_(gate),
        requests_(requests),
        store_(store),
        streams_(streams),
        blocking_writes_(blocking_writes),
        options_(options),
        queries_(options.query_threads, options.max_queued_queries),
        reports_(options.report_threads, options.max_queued_reports) {
    SetMessageAllocatorFor_QueryBackInStockNotificationRequests(&query_messages_);
    SetMessageAllocatorFor_GetBackInStockNotificationRequestsCountByCatalogReferences(
        &count_messages_);
  }

  grpc::ServerUnaryReactor* CreateBackInStockNotificationRequest(
      grpc::CallbackServerContext* context,
      const v1::CreateBackInStockNotificationRequestRequest* request,
      v1::CreateBackInStockNotificationRequestResponse* response) override;
  grpc::ServerUnaryReactor* GetBackInStockNotificationRequest(
      grpc::CallbackServerContext* context,
      const v1::GetBackInStockNotificationRequestRequest* request,
      v1::GetBackInStockNotificationRequestResponse* response) override;
  grpc::ServerUnaryReactor* DeleteBackInStockNotificationRequest(
      grpc::CallbackServerContext* context,
      const v1::DeleteBackInStockNotificationRequestRequest* request,
      v1::DeleteBackInStockNotificationRequestResponse* response) override;
  grpc::ServerUnaryReactor* MarkAsNotificationSent(
      grpc::CallbackServerContext* context, const v1::MarkAsNotificationSentRequest* request,
      v1::MarkAsNotificationSentResponse* response) override;
  grpc::ServerUnaryReactor* QueryBackInStockNotificationRequests(
      grpc::CallbackServerContext* context,
      const v1::QueryBackInStockNotificationRequestsRequest* request,
      v1::QueryBackInStockNotificationRequestsResponse* response) override;
  grpc::ServerUnaryReactor* GetBackInStockNotificationRequestsCountByCatalogReferences(
      grpc::CallbackServerContext* context,
      const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest* request,
      v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse* response) override;
  grpc::ServerUnaryReactor* ReportItemsBackInStock(
      grpc::CallbackServerContext* context, const v1::ReportItemsBackInStockRequest* request,
      v1::ReportItemsBackInStockResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchNotificationRequestEventsResponse>*
  WatchNotificationRequestEvents(grpc::CallbackServerContext* context,
                                 const v1::WatchNotificationRequestEventsRequest* request) override;

  // Personal data: an erase writes every request of the customer and purges
  // the store's files, so it runs on the reports' queue; an export scans the
  // site like a query, on the queries' queue.
  grpc::ServerUnaryReactor* EraseCustomerData(grpc::CallbackServerContext* context,
                                              const v1::EraseCustomerDataRequest* request,
                                              v1::EraseCustomerDataResponse* response) override;
  grpc::ServerUnaryReactor* ExportCustomerData(grpc::CallbackServerContext* context,
                                               const v1::ExportCustomerDataRequest* request,
                                               v1::ExportCustomerDataResponse* response) override;

  // At shutdown, once the grace period is over: queries and reports still
  // queued are answered UNAVAILABLE without starting (WorkQueue::RefuseQueued).
  size_t RefuseQueuedWork() { return queries_.RefuseQueued() + reports_.RefuseQueued(); }

 private:
  // Create, Delete and Mark run here when the store blocks on writes.
  Offload Writes() const { return Offload{blocking_writes_}; }

  const auth::Gate* gate_;
  domain::NotificationRequestManager* requests_;
  store::NotificationRequestStore* store_;
  StreamTracker* streams_;
  WorkQueue* blocking_writes_;  // null: the store never blocks; run inline
  const NotificationRequestServiceOptions options_;
  // Each query's and count's request and response on an arena of its own.
  ArenaMessageAllocator<v1::QueryBackInStockNotificationRequestsRequest,
                        v1::QueryBackInStockNotificationRequestsResponse>
      query_messages_;
  ArenaMessageAllocator<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest,
                        v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
      count_messages_;
  // Last: destroyed first, finishing the queries and reports they accepted.
  WorkQueue queries_;
  WorkQueue reports_;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_NOTIFICATION_REQUEST_SERVICE_H_
