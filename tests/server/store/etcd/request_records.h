// Notification request records as the etcd store tests write them directly
// through the store interface (no domain in between).
#ifndef BACKINSTOCK_TESTS_SERVER_STORE_ETCD_REQUEST_RECORDS_H_
#define BACKINSTOCK_TESTS_SERVER_STORE_ETCD_REQUEST_RECORDS_H_

#include <string>

#include "server/store/notification_request_store.h"

namespace backinstock::testing {

// A RECEIVED request at revision 1 for one fixed catalog item.
inline store::NotificationRequestRecord NewRecord(const std::string& id, const std::string& email) {
  store::NotificationRequestRecord record;
  record.revision = 1;
  record.request.set_id(id);
  record.request.set_email(email);
  record.request.mutable_catalog_reference()->set_catalog_item_id("sku");
  record.request.mutable_catalog_reference()->set_app_id("215238eb-22a5-4c36-9e7b-e7c08025e04e");
  record.request.set_status(v1::BackInStockNotificationRequest::RECEIVED);
  return record;
}

// `current` moved to `status`, one revision later.
inline store::NotificationRequestRecord Next(const store::RecordPtr& current,
                                             v1::BackInStockNotificationRequest::Status status) {
  store::NotificationRequestRecord next = *current;
  next.revision = current->revision + 1;
  next.request.set_status(status);
  return next;
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SERVER_STORE_ETCD_REQUEST_RECORDS_H_
