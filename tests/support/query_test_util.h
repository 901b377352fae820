// Helpers for the query tests: filters from JSON text, requests in a line.
#ifndef BACKINSTOCK_TESTS_SUPPORT_QUERY_TEST_UTIL_H_
#define BACKINSTOCK_TESTS_SUPPORT_QUERY_TEST_UTIL_H_

#include <string>

#include "absl/time/time.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace backinstock::testing {

inline google::protobuf::Struct JsonStruct(const std::string& json) {
  google::protobuf::Struct value;
  if (!google::protobuf::util::JsonStringToMessage(json, &value).ok()) {
    throw std::invalid_argument("bad JSON in test: " + json);
  }
  return value;
}

inline v1::BackInStockNotificationRequest MakeRequest(
    const std::string& id, v1::BackInStockNotificationRequest::Status status, absl::Time created,
    const std::string& item_url = "", const std::string& contact_id = "c-1") {
  v1::BackInStockNotificationRequest request;
  request.set_id(id);
  request.set_contact_id(contact_id);
  request.set_status(status);
  request.set_item_url(item_url);
  *request.mutable_created_date() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(created));
  return request;
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_QUERY_TEST_UTIL_H_
