// EraseCustomerData and ExportCustomerData: everything a site holds about one
// customer is the requests carrying that customer's email.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/domain/notification_requests/record_update.h"
#include "server/domain/notification_requests/validation.h"

namespace backinstock::domain {
namespace {

// The address is personal data: the message names the field, never echoes
// the value (error messages reach logs and clients' logs).
absl::Status ValidateCustomerEmail(absl::string_view email) {
  if (email.empty()) return errors::InvalidField("email", "email is required");
  if (!IsValidEmail(email)) return errors::InvalidField("email", "email is not an email address");
  return absl::OkStatus();
}

bool OlderFirst(const store::RecordPtr& a, const store::RecordPtr& b) {
  const auto& x = a->request;
  const auto& y = b->request;
  if (x.created_date() != y.created_date()) return x.created_date() < y.created_date();
  return x.id() < y.id();
}

}  // namespace

absl::StatusOr<std::vector<store::RecordPtr>> NotificationRequestManager::CustomerRecords(
    absl::string_view site, absl::string_view email) const {
  absl::StatusOr<store::RecordList> all = store_->List(site);
  if (!all.ok()) return all.status();
  std::vector<store::RecordPtr> matching;
  for (const store::RecordPtr& record : **all) {
    // Creates keep the address as given; the duplicate rule and the contact
    // id already treat it without regard to ASCII case.
    if (absl::EqualsIgnoreCase(record->request.email(), email)) matching.push_back(record);
  }
  std::sort(matching.begin(), matching.end(), OlderFirst);
  return matching;
}

absl::StatusOr<bool> NotificationRequestManager::EraseRecord(absl::string_view site,
                                                             const store::RecordPtr& record) {
  // A record that changed meanwhile (a delivery attempt recorded, marked
  // sent) is still this customer's: its email cannot change.
  absl::StatusOr<RecordDeletion> erased =
      DeleteRecord(*store_, site, record->request.id(),
                   [](const store::NotificationRequestRecord&) { return true; });
  if (absl::IsNotFound(erased.status())) return false;
  if (!erased.ok()) return erased.status();
  return erased->deleted;
}

absl::StatusOr<v1::EraseCustomerDataResponse> NotificationRequestManager::EraseCustomerData(
    absl::string_view site, const v1::EraseCustomerDataRequest& request) {
  if (absl::Status valid = ValidateCustomerEmail(request.email()); !valid.ok()) return valid;
  absl::StatusOr<std::vector<store::RecordPtr>> records = CustomerRecords(site, request.email());
  if (!records.ok()) return records.status();
  v1::EraseCustomerDataResponse response;
  for (const store::RecordPtr& record : *records) {
    absl::StatusOr<bool> erased = EraseRecord(site, record);
    if (!erased.ok()) return erased.status();
    if (*erased) response.add_erased_request_ids(record->request.id());
  }
  response.set_erased_count(response.erased_request_ids_size());
  // Always, even when nothing matched now: requests of this customer deleted
  // one by one earlier, or by an erase whose purge failed, may still be in
  // the store's files.
  if (absl::Status purged = store_->PurgeDeleted(); !purged.ok()) return purged;
  // The emails already sent, where the server keeps them itself (by default
  // a Maildir under --data_dir): those copies hold the address too.
  if (options_.erase_sent_copies) {
    absl::StatusOr<int> removed = options_.erase_sent_copies(request.email());
    if (!removed.ok()) return removed.status();
  }
  return response;
}

absl::StatusOr<v1::ExportCustomerDataResponse> NotificationRequestManager::ExportCustomerData(
    absl::string_view site, const v1::ExportCustomerDataRequest& request) const {
  if (absl::Status valid = ValidateCustomerEmail(request.email()); !valid.ok()) return valid;
  absl::StatusOr<std::vector<store::RecordPtr>> records = CustomerRecords(site, request.email());
  if (!records.ok()) return records.status();
  v1::ExportCustomerDataResponse response;
  for (const store::RecordPtr& record : *records) *response.add_requests() = record->request;
  return response;
}

}  // namespace backinstock::domain
