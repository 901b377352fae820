#include "server/api/settings_watch_reactor.h"

namespace backinstock::api {

grpc::ServerWriteReactor<v1::WatchSettingsResponse>* SettingsWatchReactor::Start(
    const std::string& site, const auth::StreamCredentials& credentials,
    const domain::SettingsManager* settings, store::SettingsStore* store, StreamTracker* streams) {
  auto* reactor = new SettingsWatchReactor(credentials, settings, streams);
  // The store calls back with the current record first, then every change.
  reactor->Register(site, [&] {
    return store->Watch(
        site, [reactor](const store::SettingsRecord& record) { reactor->OnChange(record); });
  });
  return reactor;
}

void SettingsWatchReactor::OnChange(const store::SettingsRecord& record) {
  absl::MutexLock lock(&mu_);
  if (!AcceptingLocked() || record.revision <= last_revision_) return;
  if (EndIfCredentialsLapsedLocked()) return;
  last_revision_ = record.revision;
  pending_ = record;
  WriteIfIdleLocked();
}

bool SettingsWatchReactor::HasPendingLocked() const { return pending_.has_value(); }

void SettingsWatchReactor::DropPendingLocked() { pending_.reset(); }

void SettingsWatchReactor::TakeNextLocked(v1::WatchSettingsResponse& response) {
  *response.mutable_settings() = settings_->ToSettings(*pending_);
  pending_.reset();
}

}  // namespace backinstock::api
