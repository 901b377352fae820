// Settings calls for end-to-end tests: one line per call, status decoded.
#ifndef BACKINSTOCK_TESTS_SUPPORT_SETTINGS_CALLS_H_
#define BACKINSTOCK_TESTS_SUPPORT_SETTINGS_CALLS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "server/auth/permissions.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {

inline constexpr char kStoresApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

struct Credentials {
  std::string identity;
  std::optional<std::string> elevation;
};

inline Credentials As(const std::string& site, const std::string& role) {
  return {IdentityToken(site, role), std::nullopt};
}

inline Credentials Elevated(const std::string& site, const std::string& role,
                            const std::string& elevation_site, std::vector<std::string> perms) {
  return {IdentityToken(site, role), ElevationToken(elevation_site, perms)};
}

class SettingsCalls {
 public:
  explicit SettingsCalls(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::BackInStockSettingsService::NewStub(std::move(channel))) {}

  absl::StatusOr<v1::BackInStockSettings> Get(const Credentials& who) {
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    v1::GetSettingsResponse response;
    grpc::Status status = stub_->GetSettings(&context, v1::GetSettingsRequest(), &response);
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return response.settings();
  }

  absl::StatusOr<v1::BackInStockSettings> Set(const Credentials& who, bool collecting,
                                              const std::string& app_id = kStoresApp) {
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    grpc::Status status;
    v1::BackInStockSettings settings;
    if (collecting) {
      v1::StartCollectingRequestsRequest request;
      request.set_app_id(app_id);
      v1::StartCollectingRequestsResponse response;
      status = stub_->StartCollectingRequests(&context, request, &response);
      settings = response.settings();
    } else {
      v1::StopCollectingRequestsRequest request;
      request.set_app_id(app_id);
      v1::StopCollectingRequestsResponse response;
      status = stub_->StopCollectingRequests(&context, request, &response);
      settings = response.settings();
    }
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return settings;
  }

  v1::BackInStockSettingsService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<v1::BackInStockSettingsService::Stub> stub_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_SETTINGS_CALLS_H_
