#include "server/api/settings_service.h"

#include "server/api/finished_write_reactor.h"
#include "server/api/settings_watch_reactor.h"
#include "server/api/unary.h"

namespace backinstock::api {
namespace {

// Start and Stop differ only in the state they set.
template <typename Response>
absl::Status Answer(absl::StatusOr<v1::BackInStockSettings> settings, Response* response) {
  if (!settings.ok()) return settings.status();
  *response->mutable_settings() = *std::move(settings);
  return absl::OkStatus();
}

// A Start or Stop that would change nothing (or is invalid) is answered on
// gRPC's thread; only real writes go to the site's line of blocking writes,
// where those that wait are asked again once the write before them lands.
template <typename Request, typename Response>
grpc::ServerUnaryReactor* SetCollecting(const auth::Gate& gate, domain::SettingsManager* settings,
                                        SerialSiteWrites* site_writes,
                                        grpc::CallbackServerContext* context,
                                        const Request* request, Response* response,
                                        bool collecting) {
  return UnarySiteWrite(
      gate, context,
      [settings, request, response,
       collecting](const auth::Caller& caller) -> std::optional<absl::Status> {
        std::optional<absl::StatusOr<v1::BackInStockSettings>> answer =
            settings->AnswerWithoutWriting(caller.site, request->app_id(), collecting);
        if (!answer) return std::nullopt;
        return Answer(*std::move(answer), response);
      },
      [settings, request, response, collecting](const auth::Caller& caller) {
        return Answer(settings->SetCollecting(caller.site, request->app_id(), collecting),
                      response);
      },
      site_writes);
}

}  // namespace

grpc::ServerUnaryReactor* SettingsService::GetSettings(grpc::CallbackServerContext* context,
                                                       const v1::GetSettingsRequest* request,
                                                       v1::GetSettingsResponse* response) {
  return Unary(*gate_, context, [this, response](const auth::Caller& caller) {
    return Answer(settings_->Get(caller.site), response);
  });
}

grpc::ServerUnaryReactor* SettingsService::StartCollectingRequests(
    grpc::CallbackServerContext* context, const v1::StartCollectingRequestsRequest* request,
    v1::StartCollectingRequestsResponse* response) {
  return SetCollecting(*gate_, settings_, site_writes_, context, request, response, true);
}

grpc::ServerUnaryReactor* SettingsService::StopCollectingRequests(
    grpc::CallbackServerContext* context, const v1::StopCollectingRequestsRequest* request,
    v1::StopCollectingRequestsResponse* response) {
  return SetCollecting(*gate_, settings_, site_writes_, context, request, response, false);
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
