#include "bench/load/call_kinds.h"

#include <grpcpp/client_context.h>

#include <atomic>
#include <chrono>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/baseline/padding.h"

namespace backinstock::bench {
namespace {

struct KindEntry {
  CallKind kind;
  absl::string_view name;
};

constexpr KindEntry kKinds[] = {
    {CallKind::kNoop, "noop"},
    {CallKind::kNoopElevated, "noop_elevated"},
    {CallKind::kGetSettings, "get_settings"},
    {CallKind::kStartCollecting, "start_collecting"},
    {CallKind::kStopCollecting, "stop_collecting"},
    {CallKind::kNoopCreate, "noop_create"},
    {CallKind::kCreateRequest, "create_request"},
    {CallKind::kQueryRequests, "query_requests"},
    {CallKind::kCountRequests, "count_requests"},
};

using Done = std::function<void(const grpc::Status&)>;

// Everything one call needs until its callback has run.
template <typename Request, typename Response>
struct PendingCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  Done done;
};

// Does nothing with a response.
struct IgnoreResponse {
  template <typename Response>
  void operator()(const Response&) const {}
};

// Sets up a PendingCall with the site's headers and hands its parts to
// `start`, which invokes the stub's callback method. `on_ok` sees the response
// of a successful call before `done` runs.
template <typename Request, typename Response, typename StartFn, typename OnOk = IgnoreResponse>
void Issue(Request request, const SiteCredentials& site, bool elevated, absl::Duration deadline,
           Done done, StartFn start, OnOk on_ok = {}) {
  auto* call = new PendingCall<Request, Response>{};
  call->request = std::move(request);
  call->done = std::move(done);
  if (!site.authorization.empty()) call->context.AddMetadata("authorization", site.authorization);
  if (elevated && !site.elevation.empty()) {
    call->context.AddMetadata("x-elevation-token", site.elevation);
  }
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoMilliseconds(deadline));
  start(&call->context, &call->request, &call->response, [call, on_ok](grpc::Status status) {
    if (status.ok()) on_ok(call->response);
    call->done(status);
    delete call;
  });
}

// Emails unique to this process (a random run id) and call (a counter), so
// that every create_request creates, even against a server that earlier runs
// already filled.
std::string UniqueEmail() {
  static const uint64_t run = std::random_device{}() * 0x100000000ULL ^ std::random_device{}();
  static std::atomic<uint64_t> next{0};
  return absl::StrFormat("bench-%016x-%08d@example.com", run, next.fetch_add(1));
}

std::string CatalogItem(uint64_t n) { return absl::StrCat("item-", n % kCatalogItems); }

v1::CreateBackInStockNotificationRequestRequest CreateRequest(absl::string_view app_id,
                                                              std::string email) {
  static std::atomic<uint64_t> next{0};
  const std::string item = CatalogItem(next.fetch_add(1));
  v1::CreateBackInStockNotificationRequestRequest create;
  v1::BackInStockNotificationRequest* request = create.mutable_request();
  request->mutable_catalog_reference()->set_catalog_item_id(item);
  request->mutable_catalog_reference()->set_app_id(std::string(app_id));
  request->set_email(std::move(email));
  request->set_item_url(absl::StrCat("https://shop.example/items/", item));
  create.mutable_item_details()->set_name("Bench item");
  create.mutable_item_details()->set_price("19.99");
  return create;
}

// The first page of query_requests.
v1::QueryBackInStockNotificationRequestsRequest FirstPageQuery() {
  v1::QueryBackInStockNotificationRequestsRequest request;
  v1::PlatformQuery* query = request.mutable_query();
  (*query->mutable_filter()->mutable_fields())["status"].set_string_value("RECEIVED");
  v1::Sorting* sort = query->add_sort();
  sort->set_field_name("createdDate");
  sort->set_order(v1::DESC);
  query->mutable_cursor_paging()->set_limit(50);
  return request;
}

}  // namespace

std::string CursorBook::Take(absl::string_view site) {
  absl::MutexLock lock(&mu_);
  auto it = cursors_.find(site);
  if (it == cursors_.end()) return "";
  std::string cursor = std::move(it->second);
  cursors_.erase(it);
  return cursor;
}

void CursorBook::Put(absl::string_view site, std::string cursor) {
  absl::MutexLock lock(&mu_);
  if (cursor.empty()) {
    cursors_.erase(site);
  } else {
    cursors_[site] = std::move(cursor);
  }
}

std::optional<CallKind> ParseCallKind(absl::string_view name) {
  for (const KindEntry& entry : kKinds) {
    if (entry.name == name) return entry.kind;
  }
  return std::nullopt;
}

absl::string_view CallKindName(CallKind kind) {
  for (const KindEntry& entry : kKinds) {
    if (entry.kind == kind) return entry.name;
  }
  return "?";
}

std::vector<absl::string_view> CallKindNames() {
  std::vector<absl::string_view> names;
  for (const KindEntry& entry : kKinds) names.push_back(entry.name);
  return names;
}

Stubs::Stubs(std::shared_ptr<grpc::Channel> channel, CursorBook* cursors)
    : channel_(std::move(channel)),
      baseline_(baseline::v1::BaselineService::NewStub(channel_)),
      settings_(v1::BackInStockSettingsService::NewStub(channel_)),
      requests_(v1::BackInStockNotificationRequestService::NewStub(channel_)),
      cursors_(cursors) {}

void Stubs::Start(CallKind kind, const SiteCredentials& site, absl::string_view app_id,
                  absl::Duration deadline, Done done) {
  switch (kind) {
    case CallKind::kNoop:
    case CallKind::kNoopElevated:
    case CallKind::kNoopCreate: {
      const bool elevated = kind == CallKind::kNoopElevated;
      baseline::v1::NoopRequest request;
      if (elevated) request.set_padding(std::string(app_id));
      if (kind == CallKind::kNoopCreate) {
        // As many bytes as a create_request's message (its email included).
        static const size_t create_size = CreateRequest(app_id, UniqueEmail()).ByteSizeLong();
        request.set_padding(std::string(create_size, 'x'));
      }
      Issue<baseline::v1::NoopRequest, baseline::v1::NoopResponse>(
          std::move(request), site, elevated, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            baseline_->async()->Noop(context, req, resp, std::move(callback));
          });
      return;
    }
    case CallKind::kGetSettings:
      Issue<v1::GetSettingsRequest, v1::GetSettingsResponse>(
          {}, site, /*elevated=*/false, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            settings_->async()->GetSettings(context, req, resp, std::move(callback));
          });
      return;
    case CallKind::kStartCollecting: {
      v1::StartCollectingRequestsRequest request;
      request.set_app_id(std::string(app_id));
      Issue<v1::StartCollectingRequestsRequest, v1::StartCollectingRequestsResponse>(
          std::move(request), site, /*elevated=*/true, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            settings_->async()->StartCollectingRequests(context, req, resp, std::move(callback));
          });
      return;
    }
    case CallKind::kStopCollecting: {
      v1::StopCollectingRequestsRequest request;
      request.set_app_id(std::string(app_id));
      Issue<v1::StopCollectingRequestsRequest, v1::StopCollectingRequestsResponse>(
          std::move(request), site, /*elevated=*/true, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            settings_->async()->StopCollectingRequests(context, req, resp, std::move(callback));
          });
      return;
    }
    case CallKind::kCreateRequest:
      Issue<v1::CreateBackInStockNotificationRequestRequest,
            v1::CreateBackInStockNotificationRequestResponse>(
          CreateRequest(app_id, UniqueEmail()), site, /*elevated=*/false, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            requests_->async()->CreateBackInStockNotificationRequest(context, req, resp,
                                                                     std::move(callback));
          });
      return;
    case CallKind::kQueryRequests: {
      v1::QueryBackInStockNotificationRequestsRequest request;
      if (std::string cursor = cursors_->Take(site.site); !cursor.empty()) {
        request.mutable_query()->mutable_cursor_paging()->set_cursor(std::move(cursor));
      } else {
        request = FirstPageQuery();
      }
      Issue<v1::QueryBackInStockNotificationRequestsRequest,
            v1::QueryBackInStockNotificationRequestsResponse>(
          std::move(request), site, /*elevated=*/true, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            requests_->async()->QueryBackInStockNotificationRequests(context, req, resp,
                                                                     std::move(callback));
          },
          [this, site_id = site.site](const v1::QueryBackInStockNotificationRequestsResponse& r) {
            cursors_->Put(site_id, r.metadata().cursors().next());
          });
      return;
    }
    case CallKind::kCountRequests: {
      v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest request;
      for (int i = 0; i < kCatalogItems; ++i) {
        v1::CatalogReference* reference = request.add_catalog_references();
        reference->set_catalog_item_id(CatalogItem(i));
        reference->set_app_id(std::string(app_id));
      }
      Issue<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest,
            v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>(
          std::move(request), site, /*elevated=*/true, deadline, std::move(done),
          [this](auto* context, auto* req, auto* resp, auto callback) {
            requests_->async()->GetBackInStockNotificationRequestsCountByCatalogReferences(
                context, req, resp, std::move(callback));
          });
      return;
    }
  }
}

namespace {

template <typename Service>
std::string MethodPath(absl::string_view method) {
  return absl::StrCat("/", Service::service_full_name(), "/", method);
}

std::string Framed(const google::protobuf::MessageLite& message) {
  const std::string payload = message.SerializeAsString();
  const uint32_t size = static_cast<uint32_t>(payload.size());
  std::string body(5, '\0');
  body[1] = static_cast<char>(size >> 24);
  body[2] = static_cast<char>(size >> 16);
  body[3] = static_cast<char>(size >> 8);
  body[4] = static_cast<char>(size);
  return body + payload;
}

}  // namespace

FramedCall FramedCallOf(CallKind kind, absl::string_view app_id, NoopSizes sizes,
                        bool unique_email) {
  using Baseline = baseline::v1::BaselineService;
  using Settings = v1::BackInStockSettingsService;
  using Requests = v1::BackInStockNotificationRequestService;
  switch (kind) {
    case CallKind::kNoop:
    case CallKind::kNoopElevated:
    case CallKind::kNoopCreate: {
      baseline::v1::NoopRequest request;
      if (kind == CallKind::kNoopElevated) {
        request.set_padding(std::string(app_id));
      } else if (kind == CallKind::kNoopCreate) {
        // As many bytes as a create with a unique email, as Stubs::Start's.
        request.set_padding(std::string(CreateRequest(app_id, UniqueEmail()).ByteSizeLong(), 'x'));
      }
      if (sizes.answer_bytes > 0) request.set_answer_bytes(sizes.answer_bytes);
      if (sizes.request_bytes > 0) {
        request.clear_padding();
        request.set_padding(std::string(
            PaddingFor(static_cast<size_t>(sizes.request_bytes), request.ByteSizeLong()), 'x'));
      }
      return {MethodPath<Baseline>("Noop"), Framed(request), kind == CallKind::kNoopElevated};
    }
    case CallKind::kGetSettings:
      return {MethodPath<Settings>("GetSettings"), Framed(v1::GetSettingsRequest()), false};
    case CallKind::kStartCollecting:
    case CallKind::kStopCollecting: {
      v1::StartCollectingRequestsRequest request;  // Stop's message has the same one field
      request.set_app_id(std::string(app_id));
      return {MethodPath<Settings>(kind == CallKind::kStartCollecting ? "StartCollectingRequests"
                                                                      : "StopCollectingRequests"),
              Framed(request), true};
    }
    case CallKind::kCreateRequest:
      return {
          MethodPath<Requests>("CreateBackInStockNotificationRequest"),
          Framed(CreateRequest(app_id, unique_email ? UniqueEmail() : "bench-fixed@example.com")),
          false};
    case CallKind::kQueryRequests:
      return {MethodPath<Requests>("QueryBackInStockNotificationRequests"),
              Framed(FirstPageQuery()), true};
    case CallKind::kCountRequests: {
      v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest request;
      for (int i = 0; i < kCatalogItems; ++i) {
        v1::CatalogReference* reference = request.add_catalog_references();
        reference->set_catalog_item_id(CatalogItem(i));
        reference->set_app_id(std::string(app_id));
      }
      return {MethodPath<Requests>("GetBackInStockNotificationRequestsCountByCatalogReferences"),
              Framed(request), true};
    }
  }
  return {};
}

}  // namespace backinstock::bench
