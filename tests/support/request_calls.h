// Notification request calls for end-to-end tests: one line per call, status
// decoded into an absl::Status with its ErrorInfo and BadRequest.
#ifndef BACKINSTOCK_TESTS_SUPPORT_REQUEST_CALLS_H_
#define BACKINSTOCK_TESTS_SUPPORT_REQUEST_CALLS_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "tests/support/query_test_util.h"
#include "tests/support/settings_calls.h"

namespace backinstock::testing {

using NotificationRequest = v1::BackInStockNotificationRequest;

// A test server config (emails go into the TestServer's own Maildir).
inline runtime::ServerConfig QuietConfig() {
  runtime::ServerConfig config = TestConfig();
  return config;
}

class RequestCalls {
 public:
  using Stub = v1::BackInStockNotificationRequestService::Stub;

  explicit RequestCalls(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::BackInStockNotificationRequestService::NewStub(std::move(channel))) {}

  template <typename Request, typename Response>
  absl::StatusOr<Response> Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                             Response*),
                                const Credentials& who, const Request& request) {
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    Response response;
    grpc::Status status = (stub_.get()->*method)(&context, request, &response);
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return response;
  }

  static v1::CatalogReference Reference(const std::string& item,
                                        const std::string& options_json = "") {
    v1::CatalogReference reference;
    reference.set_catalog_item_id(item);
    reference.set_app_id(kStoresApp);
    if (!options_json.empty()) *reference.mutable_options() = JsonStruct(options_json);
    return reference;
  }

  static v1::CreateBackInStockNotificationRequestRequest NewRequest(
      const std::string& item, const std::string& email, const std::string& options_json = "") {
    v1::CreateBackInStockNotificationRequestRequest create;
    *create.mutable_request()->mutable_catalog_reference() = Reference(item, options_json);
    create.mutable_request()->set_email(email);
    create.mutable_request()->set_item_url("https://shop.example/items/" + item);
    create.mutable_item_details()->set_name("Item " + item);
    create.mutable_item_details()->set_price("10.00");
    return create;
  }

  absl::StatusOr<NotificationRequest> Create(
      const Credentials& who, const v1::CreateBackInStockNotificationRequestRequest& create) {
    auto response = Call(&Stub::CreateBackInStockNotificationRequest, who, create);
    if (!response.ok()) return response.status();
    return response->request();
  }
  absl::StatusOr<NotificationRequest> Create(const Credentials& who, const std::string& item,
                                             const std::string& email,
                                             const std::string& options_json = "") {
    return Create(who, NewRequest(item, email, options_json));
  }

  absl::StatusOr<NotificationRequest> Get(const Credentials& who, const std::string& id) {
    v1::GetBackInStockNotificationRequestRequest request;
    request.set_id(id);
    auto response = Call(&Stub::GetBackInStockNotificationRequest, who, request);
    if (!response.ok()) return response.status();
    return response->request();
  }

  absl::Status Delete(const Credentials& who, const std::string& id) {
    v1::DeleteBackInStockNotificationRequestRequest request;
    request.set_id(id);
    return Call(&Stub::DeleteBackInStockNotificationRequest, who, request).status();
  }

  absl::StatusOr<NotificationRequest> Mark(const Credentials& who, const std::string& id) {
    v1::MarkAsNotificationSentRequest request;
    request.set_id(id);
    auto response = Call(&Stub::MarkAsNotificationSent, who, request);
    if (!response.ok()) return response.status();
    return response->request();
  }

  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> Query(
      const Credentials& who, const v1::PlatformQuery& query) {
    v1::QueryBackInStockNotificationRequestsRequest request;
    *request.mutable_query() = query;
    return Call(&Stub::QueryBackInStockNotificationRequests, who, request);
  }

  absl::StatusOr<std::vector<int>> Count(const Credentials& who,
                                         const std::vector<v1::CatalogReference>& references) {
    v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest request;
    for (const auto& reference : references) *request.add_catalog_references() = reference;
    auto response =
        Call(&Stub::GetBackInStockNotificationRequestsCountByCatalogReferences, who, request);
    if (!response.ok()) return response.status();
    std::vector<int> counts;
    for (const auto& count : response->counts_per_catalog_reference()) {
      counts.push_back(count.count());
    }
    return counts;
  }

  static v1::ReportItemsBackInStockRequest ReportOf(const std::vector<std::string>& ids) {
    v1::ReportItemsBackInStockRequest report;
    report.mutable_item_details()->set_name("Blue shirt");
    report.mutable_item_details()->set_price("19.99");
    report.mutable_item_details()->mutable_image()->set_url("https://img.example/shirt.png");
    for (const std::string& id : ids) report.add_request_ids(id);
    return report;
  }

  absl::Status Report(const Credentials& who, const v1::ReportItemsBackInStockRequest& report) {
    return Call(&Stub::ReportItemsBackInStock, who, report).status();
  }

  Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<Stub> stub_;
};

// The ErrorInfo metadata value of `key`, or "" when absent.
inline std::string MetadataOf(const absl::Status& status, const std::string& key) {
  auto info = errors::ErrorInfoOf(status);
  if (!info) return "";
  auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "" : it->second;
}

// The single BadRequest field path of `status`.
inline std::string BadFieldOf(const absl::Status& status) {
  auto bad_request = errors::BadRequestOf(status);
  if (!bad_request || bad_request->field_violations_size() != 1) return "<no BadRequest>";
  return bad_request->field_violations(0).field();
}

// The site's request events from the moment the constructor returns, until
// the watch is destroyed (which cancels the stream).
struct RequestEventsWatch {
  using Event = v1::WatchNotificationRequestEventsResponse;

  RequestEventsWatch(RequestCalls::Stub& stub, const Credentials& who) {
    Authorize(context, who.identity, who.elevation);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    reader =
        stub.WatchNotificationRequestEvents(&context, v1::WatchNotificationRequestEventsRequest());
    // The server sends its headers once the subscription is in place.
    reader->WaitForInitialMetadata();
  }
  ~RequestEventsWatch() { context.TryCancel(); }

  // The next event, or nothing once the stream has ended.
  std::optional<Event> Next() {
    Event event;
    if (!reader->Read(&event)) return std::nullopt;
    return event;
  }

  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<Event>> reader;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_REQUEST_CALLS_H_
