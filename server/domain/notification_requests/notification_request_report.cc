// NotificationRequestManager::Report: every targeted RECEIVED request goes
// PROCESSING with its email queued; the delivery queue settles it
// NOTIFICATION_SENT or FAILED in the background.
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/guid.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/domain/notification_requests/record_update.h"
#include "server/domain/notification_requests/validation.h"
#include "server/logging/log.h"
#include "server/store/catalog_key.h"

namespace backinstock::domain {
namespace {

using Request = v1::BackInStockNotificationRequest;

// A report starts one more claiming thread per this many targets, up to
// NotificationRequestOptions::claim_parallelism.
constexpr size_t kTargetsPerClaimThread = 64;

}  // namespace

absl::StatusOr<std::vector<std::string>> NotificationRequestManager::ReportTargets(
    absl::string_view site, const v1::ReportItemsBackInStockRequest& report) const {
  if (report.has_catalog_reference()) {
    absl::StatusOr<v1::CatalogReference> reference =
        NormalizeCatalogReference(report.catalog_reference(), "catalog_reference");
    if (!reference.ok()) return reference.status();
    absl::StatusOr<std::vector<std::string>> ids =
        store_->OpenIds(site, store::CatalogKey(*reference));
    if (!ids.ok()) return ids.status();
    // Oldest ids first is not promised; a stable order keeps logs readable.
    std::sort(ids->begin(), ids->end());
    return ids;
  }
  std::vector<std::string> ids;
  for (const std::string& given : report.request_ids()) {
    // An id that is not a UUID names no request: there is nothing to notify.
    std::optional<std::string> id = NormalizeGuid(given);
    if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) ids.push_back(*std::move(id));
  }
  return ids;
}

absl::StatusOr<store::RecordPtr> NotificationRequestManager::Claim(
    absl::string_view site, const std::string& id,
    const std::shared_ptr<const store::QueuedEmail>& email) {
  absl::StatusOr<RecordUpdate> update = UpdateRecord(
      *store_, site, id,
      [&email](const store::NotificationRequestRecord& current) -> std::optional<NextRecord> {
        // Only RECEIVED requests are notified: nothing is ever sent twice.
        if (current.request.status() != Request::RECEIVED) return std::nullopt;
        NextRecord next{current, store::ClaimChange::kClaim};
        next.record.request.set_status(Request::PROCESSING);
        next.record.delivery = email;
        return next;
      });
  if (absl::IsNotFound(update.status())) return store::RecordPtr();
  if (!update.ok()) return update.status();
  if (!update->changed) return store::RecordPtr();
  return update->record;
}

absl::Status NotificationRequestManager::Report(absl::string_view site,
                                                const v1::ReportItemsBackInStockRequest& report) {
  if (absl::Status valid = ValidateReport(report); !valid.ok()) return valid;
  absl::StatusOr<std::vector<std::string>> targets = ReportTargets(site, report);
  if (!targets.ok()) return targets.status();

  // One queued email, shared by every record this report claims.
  auto email = std::make_shared<store::QueuedEmail>();
  *email->mutable_item_details() = report.item_details();
  email->mutable_template_parameters()->insert(
      report.extra_automation_template_parameters().begin(),
      report.extra_automation_template_parameters().end());
  *email->mutable_state()->mutable_queued_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(options_.clock()));
  const std::shared_ptr<const store::QueuedEmail> shared = std::move(email);

  // Each claim is the request going PROCESSING with its email queued, in one
  // write with the store's durability; the queue takes it from there. Claims
  // run on several threads at once: a durable store shares one fsync among
  // the writes waiting together (group commit), etcd one transaction, so a
  // large report costs a few syncs, not one per request. A claim that fails
  // leaves that request RECEIVED (a later report retries it); the first such
  // error is the call's, after every other target was claimed.
  const size_t workers =
      std::min<size_t>(static_cast<size_t>(std::max(1, options_.claim_parallelism)),
                       (targets->size() + kTargetsPerClaimThread - 1) / kTargetsPerClaimThread);
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto claim_some = [&] {
    for (size_t i = next.fetch_add(1); i < targets->size(); i = next.fetch_add(1)) {
      absl::StatusOr<store::RecordPtr> claimed = Claim(site, (*targets)[i], shared);
      if (!claimed.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = claimed.status();
        continue;
      }
      if (*claimed) scheduler_->Schedule(std::string(site), *std::move(claimed));
    }
  };
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < workers; ++i) helpers.emplace_back(claim_some);
  claim_some();
  for (std::thread& helper : helpers) helper.join();
  absl::MutexLock lock(&mu);
  return first_error;
}

}  // namespace backinstock::domain
