// One WatchSettings stream. Writers never wait for it: a change only replaces
// the one pending value, so a slow reader skips intermediate states but always
// ends up with the latest. Nothing is sent once the credentials the stream was
// admitted with have lapsed.
#ifndef BACKINSTOCK_SERVER_API_SETTINGS_WATCH_REACTOR_H_
#define BACKINSTOCK_SERVER_API_SETTINGS_WATCH_REACTOR_H_

#include <memory>
#include <optional>
#include <string>

#include <grpcpp/support/server_callback.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/v1/settings.pb.h"
#include "server/api/stream_tracker.h"
#include "server/auth/stream_credentials.h"
#include "server/domain/settings_manager.h"
#include "server/store/settings_store.h"

namespace backinstock::api {

class SettingsWatchReactor final : public grpc::ServerWriteReactor<v1::WatchSettingsResponse>,
                                   public ClosableStream {
 public:
  // Creates the reactor, subscribes it and sends the current settings.
  static grpc::ServerWriteReactor<v1::WatchSettingsResponse>* Start(
      const std::string& site, const auth::StreamCredentials& credentials,
      const domain::SettingsManager* settings, store::SettingsStore* store,
      StreamTracker* streams);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  void End(const grpc::Status& status) override;

 private:
  SettingsWatchReactor(const auth::StreamCredentials& credentials,
                       const domain::SettingsManager* settings, StreamTracker* streams)
      : credentials_(credentials), settings_(settings), streams_(streams) {}

  void OnChange(const store::SettingsRecord& record) ABSL_LOCKS_EXCLUDED(mu_);
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const auth::StreamCredentials credentials_;
  const domain::SettingsManager* settings_;
  StreamTracker* streams_;
  std::unique_ptr<store::Subscription> subscription_;

  absl::Mutex mu_;
  std::optional<store::SettingsRecord> pending_ ABSL_GUARDED_BY(mu_);
  int64_t last_revision_ ABSL_GUARDED_BY(mu_) = -1;  // newest revision queued for writing
  v1::WatchSettingsResponse response_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  // Set by End(): the stream finishes with this once no write is in flight.
  std::optional<grpc::Status> ending_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_SETTINGS_WATCH_REACTOR_H_
