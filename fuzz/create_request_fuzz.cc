// The notification request validators: the input is a Create call (first
// byte even) or a Report call (odd), as proto3 JSON when it starts with '{'
// and as protobuf wire bytes otherwise.
// Property: a Create that validates carries what notification_requests.proto requires, and its
// app id comes back in lower case.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "fuzz/fuzz_input.h"
#include "google/protobuf/util/json_util.h"
#include "server/domain/notification_requests/validation.h"

namespace {

template <typename Message>
bool Parse(absl::string_view bytes, Message* message) {
  if (!bytes.empty() && bytes.front() == '{') {
    return google::protobuf::util::JsonStringToMessage(std::string(bytes), message).ok();
  }
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  backinstock::fuzz::FuzzInput input(data, size);
  const bool report = input.Bool();
  if (report) {
    backinstock::v1::ReportItemsBackInStockRequest request;
    if (Parse(input.Rest(), &request)) (void)backinstock::domain::ValidateReport(request);
    return 0;
  }
  backinstock::v1::CreateBackInStockNotificationRequestRequest request;
  if (!Parse(input.Rest(), &request)) return 0;
  auto valid = backinstock::domain::ValidateCreate(request);
  if (!valid.ok()) return 0;
  const auto& reference = valid->catalog_reference();
  if (reference.catalog_item_id().empty() ||
      reference.catalog_item_id().size() > backinstock::domain::kMaxCatalogItemIdLength ||
      reference.app_id() != absl::AsciiStrToLower(reference.app_id()) ||
      !backinstock::domain::IsValidEmail(valid->email())) {
    std::abort();
  }
  return 0;
}
