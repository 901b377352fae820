// NotificationRequestManager::Report: RECEIVED -> PROCESSING -> NOTIFICATION_SENT
// or FAILED, batch by batch.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/domain/guid.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/domain/notification_requests/validation.h"
#include "server/errors/error.h"
#include "server/logging/log.h"
#include "server/store/catalog_key.h"

namespace backinstock::domain {
namespace {

using Request = v1::BackInStockNotificationRequest;

constexpr int kMaxAttempts = 64;

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

absl::StatusOr<store::RecordPtr> NotificationRequestManager::Claim(absl::string_view site,
                                                                   const std::string& id) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    absl::StatusOr<store::RecordPtr> record = store_->Get(site, id);
    if (absl::IsNotFound(record.status())) return store::RecordPtr();
    if (!record.ok()) return record.status();
    if ((*record)->request.status() != Request::RECEIVED) return store::RecordPtr();
    auto next = std::make_shared<store::NotificationRequestRecord>(**record);
    next->revision = (*record)->revision + 1;
    next->request.set_status(Request::PROCESSING);
    absl::Status written = store_->CompareAndSwap(site, (*record)->revision, *next);
    if (written.ok()) return store::RecordPtr(std::move(next));
    if (absl::IsNotFound(written)) return store::RecordPtr();
    if (!absl::IsAborted(written)) return written;
  }
  return errors::Error(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                       absl::StrCat("request ", id, " kept changing under this report"));
}

absl::Status NotificationRequestManager::Settle(absl::string_view site, store::RecordPtr claimed,
                                                Request::Status final_status) {
  const std::string id = claimed->request.id();
  store::RecordPtr current = std::move(claimed);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    store::NotificationRequestRecord next = *current;
    next.revision = current->revision + 1;
    next.request.set_status(final_status);
    next.request.mutable_auto_notified()->set_value(true);
    absl::Status written = store_->CompareAndSwap(site, current->revision, next);
    if (written.ok() || absl::IsNotFound(written)) return absl::OkStatus();
    if (!absl::IsAborted(written)) return written;
    // Someone else wrote it meanwhile: settle only if it is still ours.
    absl::StatusOr<store::RecordPtr> reread = store_->Get(site, id);
    if (absl::IsNotFound(reread.status())) return absl::OkStatus();
    if (!reread.ok()) return reread.status();
    if ((*reread)->request.status() != Request::PROCESSING) return absl::OkStatus();
    current = *std::move(reread);
  }
  return errors::Error(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                       absl::StrCat("request ", id, " kept changing under this report"));
}

absl::Status NotificationRequestManager::Report(absl::string_view site,
                                                const v1::ReportItemsBackInStockRequest& report) {
  if (absl::Status valid = ValidateReport(report); !valid.ok()) return valid;
  absl::StatusOr<std::vector<std::string>> targets = ReportTargets(site, report);
  if (!targets.ok()) return targets.status();

  notify::Notification notification;
  notification.site = std::string(site);
  notification.item_details = report.item_details();
  notification.template_parameters.insert(report.extra_automation_template_parameters().begin(),
                                          report.extra_automation_template_parameters().end());

  absl::Status first_error;
  const size_t batch_size = static_cast<size_t>(std::max(1, options_.report_batch_size));
  for (size_t start = 0; start < targets->size(); start += batch_size) {
    const size_t end = std::min(targets->size(), start + batch_size);
    // Claim the whole batch first, so that a concurrent report skips it.
    std::vector<store::RecordPtr> claimed;
    for (size_t i = start; i < end; ++i) {
      absl::StatusOr<store::RecordPtr> record = Claim(site, (*targets)[i]);
      if (!record.ok()) {
        if (first_error.ok()) first_error = record.status();
        continue;
      }
      if (*record) claimed.push_back(*std::move(record));
    }
    options_.metrics.Claimed(static_cast<int64_t>(claimed.size()));
    // Every claimed request is settled, whatever happens to the others.
    for (store::RecordPtr& record : claimed) {
      // A claim can be lost while the batch is being sent: the request was
      // deleted, or (etcd) this replica lost its lease and another settled
      // it FAILED. Send only what is still ours as far as the store shows.
      absl::StatusOr<store::RecordPtr> current = store_->Get(site, record->request.id());
      if (!current.ok() || (*current)->revision != record->revision) {
        logging::Warning("claimed notification request changed before it was sent; not sent",
                         {{"site", site}, {"request_id", record->request.id()}});
        options_.metrics.Dropped();
        continue;
      }
      notification.request = record->request;
      const absl::Status sent = notifier_->Notify(notification);
      if (!sent.ok()) {
        logging::Warning("notification failed",
                         {{"site", site},
                          {"request_id", record->request.id()},
                          {"error", sent.message()}});
      }
      absl::Status settled =
          Settle(site, std::move(record), sent.ok() ? Request::NOTIFICATION_SENT : Request::FAILED);
      // Counted once this process is done with it, even if settling failed.
      if (sent.ok()) {
        options_.metrics.Sent();
      } else {
        options_.metrics.Failed();
      }
      if (!settled.ok() && first_error.ok()) first_error = settled;
    }
  }
  return first_error;
}

}  // namespace backinstock::domain
