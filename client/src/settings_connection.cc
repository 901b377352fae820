#include "backinstock/client/settings_connection.h"

#include <memory>
#include <utility>

#include "backinstock/client/channel.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "client/src/grpc_stream_reader.h"
#include "client/src/unary_call.h"

namespace backinstock::client {
namespace {

using Service = v1::BackInStockSettingsService;

class GrpcSettingsConnection final : public SettingsConnection {
 public:
  GrpcSettingsConnection(std::shared_ptr<grpc::Channel> channel, ConnectionOptions options)
      : stub_(Service::NewStub(std::move(channel))), options_(std::move(options)) {}

  absl::StatusOr<v1::GetSettingsResponse> GetSettings(const v1::GetSettingsRequest& request,
                                                      const CallOptions& call) override {
    return internal::UnaryCall<v1::GetSettingsResponse>(
        options_, call, [&](grpc::ClientContext* context, v1::GetSettingsResponse* response) {
          return stub_->GetSettings(context, request, response);
        });
  }

  absl::StatusOr<v1::StartCollectingRequestsResponse> StartCollectingRequests(
      const v1::StartCollectingRequestsRequest& request, const CallOptions& call) override {
    return internal::UnaryCall<v1::StartCollectingRequestsResponse>(
        options_, call,
        [&](grpc::ClientContext* context, v1::StartCollectingRequestsResponse* response) {
          return stub_->StartCollectingRequests(context, request, response);
        });
  }

  absl::StatusOr<v1::StopCollectingRequestsResponse> StopCollectingRequests(
      const v1::StopCollectingRequestsRequest& request, const CallOptions& call) override {
    return internal::UnaryCall<v1::StopCollectingRequestsResponse>(
        options_, call,
        [&](grpc::ClientContext* context, v1::StopCollectingRequestsResponse* response) {
          return stub_->StopCollectingRequests(context, request, response);
        });
  }

  std::unique_ptr<StreamReader<v1::WatchSettingsResponse>> WatchSettings(
      const v1::WatchSettingsRequest& request, const CallOptions& call) override {
    return std::make_unique<internal::GrpcStreamReader<v1::WatchSettingsResponse>>(
        options_, call,
        [&](grpc::ClientContext* context) { return stub_->WatchSettings(context, request); });
  }

 private:
  std::unique_ptr<Service::Stub> stub_;
  const ConnectionOptions options_;
};

}  // namespace

std::shared_ptr<SettingsConnection> MakeSettingsConnection(ConnectionOptions options) {
  std::shared_ptr<grpc::Channel> channel = MakeChannel(options);
  return MakeSettingsConnection(std::move(channel), std::move(options));
}

std::shared_ptr<SettingsConnection> MakeSettingsConnection(std::shared_ptr<grpc::Channel> channel,
                                                           ConnectionOptions options) {
  return std::make_shared<GrpcSettingsConnection>(std::move(channel), std::move(options));
}

}  // namespace backinstock::client
