// The gRPC adaptor of BackInStockSettingsService: admit, decode, call the
// domain, encode.
#ifndef BACKINSTOCK_SERVER_API_SETTINGS_SERVICE_H_
#define BACKINSTOCK_SERVER_API_SETTINGS_SERVICE_H_

#include "backinstock/v1/settings.grpc.pb.h"
#include "server/api/serial_site_writes.h"
#include "server/api/stream_tracker.h"
#include "server/auth/gate.h"
#include "server/domain/settings_manager.h"
#include "server/store/settings_store.h"

namespace backinstock::api {

class SettingsService final : public v1::BackInStockSettingsService::CallbackService {
 public:
  // Everything passed in must outlive the service.
  // `site_writes`: where Start and Stop run when the store blocks on writes
  // (a journal, etcd); null runs them inline.
  SettingsService(const auth::Gate* gate, domain::SettingsManager* settings,
                  store::SettingsStore* store, StreamTracker* streams,
                  SerialSiteWrites* site_writes = nullptr)
      : gate_(gate),
        settings_(settings),
        store_(store),
        streams_(streams),
        site_writes_(site_writes) {}

  grpc::ServerUnaryReactor* GetSettings(grpc::CallbackServerContext* context,
                                        const v1::GetSettingsRequest* request,
                                        v1::GetSettingsResponse* response) override;
  grpc::ServerUnaryReactor* StartCollectingRequests(
      grpc::CallbackServerContext* context, const v1::StartCollectingRequestsRequest* request,
      v1::StartCollectingRequestsResponse* response) override;
  grpc::ServerUnaryReactor* StopCollectingRequests(
      grpc::CallbackServerContext* context, const v1::StopCollectingRequestsRequest* request,
      v1::StopCollectingRequestsResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchSettingsResponse>* WatchSettings(
      grpc::CallbackServerContext* context, const v1::WatchSettingsRequest* request) override;

 private:
  const auth::Gate* gate_;
  domain::SettingsManager* settings_;
  store::SettingsStore* store_;
  StreamTracker* streams_;
  SerialSiteWrites* site_writes_;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_SETTINGS_SERVICE_H_
