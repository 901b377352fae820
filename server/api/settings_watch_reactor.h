// One WatchSettings stream. Writers never wait for it: a change only replaces
// the one pending value, so a slow reader skips intermediate states but always
// ends up with the latest. Nothing is sent once the credentials the stream was
// admitted with have lapsed.
#ifndef BACKINSTOCK_SERVER_API_SETTINGS_WATCH_REACTOR_H_
#define BACKINSTOCK_SERVER_API_SETTINGS_WATCH_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "backinstock/v1/settings.pb.h"
#include "server/api/stream_tracker.h"
#include "server/api/watch_reactor.h"
#include "server/auth/stream_credentials.h"
#include "server/domain/settings_manager.h"
#include "server/store/settings_store.h"

namespace backinstock::api {

class SettingsWatchReactor final : public WatchReactor<v1::WatchSettingsResponse> {
 public:
  // Creates the reactor, subscribes it and sends the current settings.
  static grpc::ServerWriteReactor<v1::WatchSettingsResponse>* Start(
      const std::string& site, const auth::StreamCredentials& credentials,
      const domain::SettingsManager* settings, store::SettingsStore* store, StreamTracker* streams);

 private:
  SettingsWatchReactor(const auth::StreamCredentials& credentials,
                       const domain::SettingsManager* settings, StreamTracker* streams)
      : WatchReactor(credentials, streams), settings_(settings) {}

  void OnChange(const store::SettingsRecord& record) ABSL_LOCKS_EXCLUDED(mu_);

  bool HasPendingLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropPendingLocked() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TakeNextLocked(v1::WatchSettingsResponse& response) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const domain::SettingsManager* settings_;

  std::optional<store::SettingsRecord> pending_ ABSL_GUARDED_BY(mu_);
  int64_t last_revision_ ABSL_GUARDED_BY(mu_) = -1;  // newest revision queued for writing
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_SETTINGS_WATCH_REACTOR_H_
