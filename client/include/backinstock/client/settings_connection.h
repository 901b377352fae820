// The transport under SettingsClient: one virtual function per RPC of
// backinstock.v1.BackInStockSettingsService. MakeSettingsConnection() returns
// the gRPC one; tests of code that uses SettingsClient substitute
// backinstock::client::mocks::MockSettingsConnection.
#ifndef BACKINSTOCK_CLIENT_SETTINGS_CONNECTION_H_
#define BACKINSTOCK_CLIENT_SETTINGS_CONNECTION_H_

#include <grpcpp/channel.h>

#include <memory>

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "backinstock/client/stream_reader.h"
#include "backinstock/v1/settings.pb.h"

namespace backinstock::client {

class SettingsConnection {
 public:
  virtual ~SettingsConnection() = default;

  virtual absl::StatusOr<v1::GetSettingsResponse> GetSettings(const v1::GetSettingsRequest& request,
                                                              const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::StartCollectingRequestsResponse> StartCollectingRequests(
      const v1::StartCollectingRequestsRequest& request, const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::StopCollectingRequestsResponse> StopCollectingRequests(
      const v1::StopCollectingRequestsRequest& request, const CallOptions& options) = 0;
  virtual std::unique_ptr<StreamReader<v1::WatchSettingsResponse>> WatchSettings(
      const v1::WatchSettingsRequest& request, const CallOptions& options) = 0;
};

// A connection over a channel of its own.
std::shared_ptr<SettingsConnection> MakeSettingsConnection(ConnectionOptions options);

// A connection over `channel` (from MakeChannel(options), typically shared).
std::shared_ptr<SettingsConnection> MakeSettingsConnection(std::shared_ptr<grpc::Channel> channel,
                                                           ConnectionOptions options);

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_SETTINGS_CONNECTION_H_
