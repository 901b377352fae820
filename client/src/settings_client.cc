#include "backinstock/client/settings_client.h"

#include <utility>

namespace backinstock::client {

absl::StatusOr<v1::GetSettingsResponse> SettingsClient::GetSettings(const CallOptions& options) {
  return connection_->GetSettings(v1::GetSettingsRequest(), options);
}

absl::StatusOr<v1::GetSettingsResponse> SettingsClient::GetSettings(
    const v1::GetSettingsRequest& request, const CallOptions& options) {
  return connection_->GetSettings(request, options);
}

absl::StatusOr<v1::StartCollectingRequestsResponse> SettingsClient::StartCollectingRequests(
    std::string app_id, const CallOptions& options) {
  v1::StartCollectingRequestsRequest request;
  request.set_app_id(std::move(app_id));
  return connection_->StartCollectingRequests(request, options);
}

absl::StatusOr<v1::StartCollectingRequestsResponse> SettingsClient::StartCollectingRequests(
    const v1::StartCollectingRequestsRequest& request, const CallOptions& options) {
  return connection_->StartCollectingRequests(request, options);
}

absl::StatusOr<v1::StopCollectingRequestsResponse> SettingsClient::StopCollectingRequests(
    std::string app_id, const CallOptions& options) {
  v1::StopCollectingRequestsRequest request;
  request.set_app_id(std::move(app_id));
  return connection_->StopCollectingRequests(request, options);
}

absl::StatusOr<v1::StopCollectingRequestsResponse> SettingsClient::StopCollectingRequests(
    const v1::StopCollectingRequestsRequest& request, const CallOptions& options) {
  return connection_->StopCollectingRequests(request, options);
}

std::unique_ptr<StreamReader<v1::WatchSettingsResponse>> SettingsClient::WatchSettings(
    const CallOptions& options) {
  return connection_->WatchSettings(v1::WatchSettingsRequest(), options);
}

std::unique_ptr<StreamReader<v1::WatchSettingsResponse>> SettingsClient::WatchSettings(
    const v1::WatchSettingsRequest& request, const CallOptions& options) {
  return connection_->WatchSettings(request, options);
}

}  // namespace backinstock::client
