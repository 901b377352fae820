#include "server/api/settings_service.h"

#include "server/api/finished_write_reactor.h"
#include "server/api/settings_watch_reactor.h"
#include "server/api/unary.h"

namespace backinstock::api {
namespace {

// Start and Stop differ only in the state they set.
template <typename Response>
absl::Status SetCollecting(domain::SettingsManager& settings, const auth::Caller& caller,
                           const std::string& app_id, bool collecting, Response* response) {
  absl::StatusOr<v1::BackInStockSettings> updated =
      settings.SetCollecting(caller.site, app_id, collecting);
  if (!updated.ok()) return updated.status();
  *response->mutable_settings() = *std::move(updated);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* SettingsService::GetSettings(grpc::CallbackServerContext* context,
                                                       const v1::GetSettingsRequest* request,
                                                       v1::GetSettingsResponse* response) {
  return Unary(*gate_, context, [this, response](const auth::Caller& caller) -> absl::Status {
    absl::StatusOr<v1::BackInStockSettings> settings = settings_->Get(caller.site);
    if (!settings.ok()) return settings.status();
    *response->mutable_settings() = *std::move(settings);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SettingsService::StartCollectingRequests(
    grpc::CallbackServerContext* context, const v1::StartCollectingRequestsRequest* request,
    v1::StartCollectingRequestsResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) {
        return SetCollecting(*settings_, caller, request->app_id(), true, response);
      },
      Offload{blocking_writes_});
}

grpc::ServerUnaryReactor* SettingsService::StopCollectingRequests(
    grpc::CallbackServerContext* context, const v1::StopCollectingRequestsRequest* request,
    v1::StopCollectingRequestsResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) {
        return SetCollecting(*settings_, caller, request->app_id(), false, response);
      },
      Offload{blocking_writes_});
}

grpc::ServerWriteReactor<v1::WatchSettingsResponse>* SettingsService::WatchSettings(
    grpc::CallbackServerContext* context, const v1::WatchSettingsRequest* request) {
  absl::StatusOr<auth::Gate::AdmittedStream> admitted = gate_->AdmitStream(context);
  if (!admitted.ok()) {
    return new FinishedWriteReactor<v1::WatchSettingsResponse>(
        errors::ToGrpcStatus(admitted.status()));
  }
  return SettingsWatchReactor::Start(admitted->caller.site, admitted->credentials, settings_,
                                     store_, streams_);
}

}  // namespace backinstock::api
