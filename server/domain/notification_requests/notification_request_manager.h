// The Back In Stock Notification Requests rules (notification_requests.proto): create gated by the
// site's settings, duplicate and cap rules, get / delete / mark, query with
// filter, sort and cursors, counts per catalog reference, and the report that
// drives requests through RECEIVED -> PROCESSING -> NOTIFICATION_SENT | FAILED.
// Pure logic over a NotificationRequestStore and a delivery Scheduler; no gRPC
// types.
#ifndef BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_NOTIFICATION_REQUEST_MANAGER_H_
#define BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_NOTIFICATION_REQUEST_MANAGER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "server/delivery/scheduler.h"
#include "server/domain/query/cursor.h"
#include "server/domain/settings_manager.h"
#include "server/store/notification_request_store.h"

namespace backinstock::domain {

struct NotificationRequestOptions {
  // Requests one site may hold, in any status (ServerConfig::max_requests_per_site).
  int64_t max_requests_per_site = 100000;
  // Claims a report makes at once (threads), so that a durable or etcd
  // store shares its syncs among them.
  int claim_parallelism = 16;
  // The time source for created dates and queued times (tests fix it).
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Removes the server's own stored copies of the emails sent to an address
  // (the Maildir used without a relay); empty when mail leaves the server.
  std::function<absl::StatusOr<int>(absl::string_view email)> erase_sent_copies;
};

class NotificationRequestManager {
 public:
  // Everything passed in must outlive the manager.
  NotificationRequestManager(store::NotificationRequestStore* store,
                             const SettingsManager* settings, delivery::Scheduler* scheduler,
                             query::CursorCodec cursors, NotificationRequestOptions options)
      : store_(store),
        settings_(settings),
        scheduler_(scheduler),
        cursors_(std::move(cursors)),
        options_(std::move(options)) {}

  // The stored request with its output-only fields set.
  absl::StatusOr<v1::BackInStockNotificationRequest> Create(
      absl::string_view site, const v1::CreateBackInStockNotificationRequestRequest& create);

  // NOT_FOUND (BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND) for an unknown id.
  absl::StatusOr<v1::BackInStockNotificationRequest> Get(absl::string_view site,
                                                         absl::string_view id) const;
  absl::Status Delete(absl::string_view site, absl::string_view id);

  // Sets NOTIFICATION_SENT and auto_notified = false. FAILED_PRECONDITION
  // (BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND) for an unknown id.
  absl::StatusOr<v1::BackInStockNotificationRequest> MarkAsNotificationSent(absl::string_view site,
                                                                            absl::string_view id);

  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> Query(
      absl::string_view site, const v1::PlatformQuery& query) const;

  absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse> Count(
      absl::string_view site,
      const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request) const;
  // The same, written into `response` (on the call's arena when the service
  // gives it one).
  absl::Status CountInto(
      absl::string_view site,
      const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
      v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse* response) const;

  // Claims every targeted RECEIVED request (PROCESSING, its email queued in
  // the same write) and hands it to the scheduler; the email goes out in the
  // background. Ids that are unknown or not RECEIVED are skipped: nothing is
  // ever sent twice. One write per target: the API layer calls it off gRPC's
  // callback threads.
  absl::Status Report(absl::string_view site, const v1::ReportItemsBackInStockRequest& report);

  // Personal data (customer_data.cc). Erase deletes every request of the site
  // whose email equals the given one ignoring ASCII case, in any status (a
  // DELETED event each; a queued email re-reads its record and is not sent),
  // then has the store purge what it keeps of them before answering. Export
  // returns those requests, oldest first. INVALID_ARGUMENT (field `email`)
  // for a missing or malformed address.
  absl::StatusOr<v1::EraseCustomerDataResponse> EraseCustomerData(
      absl::string_view site, const v1::EraseCustomerDataRequest& request);
  absl::StatusOr<v1::ExportCustomerDataResponse> ExportCustomerData(
      absl::string_view site, const v1::ExportCustomerDataRequest& request) const;

  // Query, written into `out` (which may live on the call's arena: the page's
  // requests are then copied without an allocation each). On an error `out`
  // is left untouched.
  absl::Status QueryInto(absl::string_view site, const v1::PlatformQuery& query,
                         v1::QueryBackInStockNotificationRequestsResponse* out) const;

 private:
  // The ids a report targets, before claiming.
  absl::StatusOr<std::vector<std::string>> ReportTargets(
      absl::string_view site, const v1::ReportItemsBackInStockRequest& report) const;
  // Moves a RECEIVED request to PROCESSING with `email` queued; nullptr when
  // it is gone or not RECEIVED.
  absl::StatusOr<store::RecordPtr> Claim(absl::string_view site, const std::string& id,
                                         const std::shared_ptr<const store::QueuedEmail>& email);

  // The site's requests whose email matches `email`, oldest first.
  absl::StatusOr<std::vector<store::RecordPtr>> CustomerRecords(absl::string_view site,
                                                                absl::string_view email) const;
  // Deletes one record, re-reading it when it changed; false when it was
  // already gone.
  absl::StatusOr<bool> EraseRecord(absl::string_view site, const store::RecordPtr& record);

  store::NotificationRequestStore* store_;
  const SettingsManager* settings_;
  delivery::Scheduler* scheduler_;
  const query::CursorCodec cursors_;
  const NotificationRequestOptions options_;
};

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_NOTIFICATION_REQUEST_MANAGER_H_
