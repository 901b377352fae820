// SettingsClient: whether each catalog app collects back-in-stock requests on
// the caller's site (backinstock.v1.BackInStockSettingsService).
//
//   auto client = SettingsClient(MakeSettingsConnection(options));
//   absl::StatusOr<v1::GetSettingsResponse> settings = client.GetSettings();
//   if (!settings.ok()) std::cerr << ErrorReason(settings.status());
//
// A cheap value type: copies share the connection, and are safe to use from
// several threads at once.
#ifndef BACKINSTOCK_CLIENT_SETTINGS_CLIENT_H_
#define BACKINSTOCK_CLIENT_SETTINGS_CLIENT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "backinstock/client/settings_connection.h"
#include "backinstock/client/stream_reader.h"
#include "backinstock/v1/settings.pb.h"

namespace backinstock::client {

class SettingsClient {
 public:
  explicit SettingsClient(std::shared_ptr<SettingsConnection> connection)
      : connection_(std::move(connection)) {}

  // The site's settings: one collection state per supported app.
  absl::StatusOr<v1::GetSettingsResponse> GetSettings(const CallOptions& options = {});
  absl::StatusOr<v1::GetSettingsResponse> GetSettings(const v1::GetSettingsRequest& request,
                                                      const CallOptions& options = {});

  // Makes the app collect requests (idempotent). Needs
  // ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS: a `user` or `app` role,
  // or an elevation token that grants it.
  absl::StatusOr<v1::StartCollectingRequestsResponse> StartCollectingRequests(
      std::string app_id, const CallOptions& options = {});
  absl::StatusOr<v1::StartCollectingRequestsResponse> StartCollectingRequests(
      const v1::StartCollectingRequestsRequest& request, const CallOptions& options = {});

  // Makes the app stop collecting requests (idempotent); same permission.
  absl::StatusOr<v1::StopCollectingRequestsResponse> StopCollectingRequests(
      std::string app_id, const CallOptions& options = {});
  absl::StatusOr<v1::StopCollectingRequestsResponse> StopCollectingRequests(
      const v1::StopCollectingRequestsRequest& request, const CallOptions& options = {});

  // The current settings, then the settings after every change, until
  // cancelled or the server shuts down.
  std::unique_ptr<StreamReader<v1::WatchSettingsResponse>> WatchSettings(
      const CallOptions& options = {});
  std::unique_ptr<StreamReader<v1::WatchSettingsResponse>> WatchSettings(
      const v1::WatchSettingsRequest& request, const CallOptions& options = {});

  friend bool operator==(const SettingsClient& a, const SettingsClient& b) {
    return a.connection_ == b.connection_;
  }
  friend bool operator!=(const SettingsClient& a, const SettingsClient& b) { return !(a == b); }

 private:
  std::shared_ptr<SettingsConnection> connection_;
};

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_SETTINGS_CLIENT_H_
