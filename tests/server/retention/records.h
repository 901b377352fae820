// Notification request records for the retention tests, written straight
// through the store interface: a RECEIVED one created at a given time, and
// the same moved to another status at a given time.
#ifndef BACKINSTOCK_TESTS_SERVER_RETENTION_RECORDS_H_
#define BACKINSTOCK_TESTS_SERVER_RETENTION_RECORDS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/store/notification_request_store.h"

namespace backinstock::testing {

// A RECEIVED request at revision 1 on item `item`, created at `created`.
inline store::NotificationRequestRecord ReceivedAt(const std::string& id, absl::Time created,
                                                   const std::string& item = "sku") {
  store::NotificationRequestRecord record;
  record.revision = 1;
  record.request.set_id(id);
  record.request.set_email(absl::StrCat(id, "@customers.example"));
  record.request.mutable_catalog_reference()->set_catalog_item_id(item);
  record.request.mutable_catalog_reference()->set_app_id("215238eb-22a5-4c36-9e7b-e7c08025e04e");
  record.request.set_status(v1::BackInStockNotificationRequest::RECEIVED);
  record.request.mutable_created_date()->set_seconds(absl::ToUnixSeconds(created));
  return record;
}

// `current` moved to `status` at `now`, one revision later.
inline store::NotificationRequestRecord MovedTo(const store::NotificationRequestRecord& current,
                                                v1::BackInStockNotificationRequest::Status status,
                                                absl::Time now) {
  store::NotificationRequestRecord next = current;
  next.revision = current.revision + 1;
  store::SetStatus(next, status, now);
  return next;
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SERVER_RETENTION_RECORDS_H_
