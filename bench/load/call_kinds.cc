#include "bench/load/call_kinds.h"

#include <chrono>
#include <utility>

#include <grpcpp/client_context.h>

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

// Sets up a PendingCall with the site's headers and hands its parts to
// `start`, which invokes the stub's callback method.
template <typename Request, typename Response, typename StartFn>
void Issue(Request request, const SiteCredentials& site, bool elevated, absl::Duration deadline,
           Done done, StartFn start) {
  auto* call = new PendingCall<Request, Response>{};
  call->request = std::move(request);
  call->done = std::move(done);
  if (!site.authorization.empty()) call->context.AddMetadata("authorization", site.authorization);
  if (elevated && !site.elevation.empty()) {
    call->context.AddMetadata("x-elevation-token", site.elevation);
  }
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoMilliseconds(deadline));
  start(&call->context, &call->request, &call->response, [call](grpc::Status status) {
    call->done(status);
    delete call;
  });
}

}  // namespace

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

Stubs::Stubs(std::shared_ptr<grpc::Channel> channel)
    : channel_(std::move(channel)),
      baseline_(baseline::v1::BaselineService::NewStub(channel_)),
      settings_(v1::BackInStockSettingsService::NewStub(channel_)) {}

void Stubs::Start(CallKind kind, const SiteCredentials& site, absl::string_view app_id,
                  absl::Duration deadline, Done done) {
  switch (kind) {
    case CallKind::kNoop:
    case CallKind::kNoopElevated: {
      const bool elevated = kind == CallKind::kNoopElevated;
      baseline::v1::NoopRequest request;
      if (elevated) request.set_padding(std::string(app_id));
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
  }
}

}  // namespace backinstock::bench
