// The query filter parser: the input is the filter as a caller writes it
// (proto3 JSON of a google.protobuf.Struct). A filter that parses is also
// evaluated against a sample request and canonicalised, so the whole path a
// Query takes with a caller's filter runs.
#include <cstdint>
#include <string>

#include "google/protobuf/util/json_util.h"
#include "server/domain/query/cursor.h"
#include "server/domain/query/filter_evaluator.h"
#include "server/domain/query/filter_parser.h"

namespace {

backinstock::v1::BackInStockNotificationRequest Sample() {
  backinstock::v1::BackInStockNotificationRequest request;
  request.set_id("3f0c1b3e-5a6d-4c1e-9a8b-0c1d2e3f4a5b");
  request.set_contact_id("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a");
  request.set_status(backinstock::v1::BackInStockNotificationRequest::RECEIVED);
  request.mutable_auto_notified()->set_value(false);
  request.mutable_created_date()->set_seconds(1'700'000'000);
  request.set_item_url("https://shop.example/items/1");
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  google::protobuf::Struct filter;
  const std::string json(reinterpret_cast<const char*>(data), size);
  if (!google::protobuf::util::JsonStringToMessage(json, &filter).ok()) return 0;
  auto parsed = backinstock::domain::query::ParseFilter(filter);
  if (!parsed.ok()) return 0;
  static const backinstock::v1::BackInStockNotificationRequest* sample =
      new backinstock::v1::BackInStockNotificationRequest(Sample());
  (void)backinstock::domain::query::Matches(*parsed, *sample);
  (void)backinstock::domain::query::CanonicalFilter(filter);
  return 0;
}
