#include "server/api/settings_watch_reactor.h"

namespace backinstock::api {

grpc::ServerWriteReactor<v1::WatchSettingsResponse>* SettingsWatchReactor::Start(
    const std::string& site, const domain::SettingsManager* settings, store::SettingsStore* store,
    StreamTracker* streams) {
  auto* reactor = new SettingsWatchReactor(settings, streams);
  if (!streams->Add(reactor)) {
    // Shutting down: end at once, cleanly.
    absl::MutexLock lock(&reactor->mu_);
    reactor->FinishLocked();
    return reactor;
  }
  // The store calls back with the current record first, then every change.
  reactor->subscription_ =
      store->Watch(site, [reactor](const store::SettingsRecord& record) { reactor->OnChange(record); });
  return reactor;
}

void SettingsWatchReactor::OnChange(const store::SettingsRecord& record) {
  absl::MutexLock lock(&mu_);
  if (finished_ || record.revision <= last_revision_) return;
  last_revision_ = record.revision;
  pending_ = record;
  if (!writing_) WriteNextLocked();
}

void SettingsWatchReactor::WriteNextLocked() {
  *response_.mutable_settings() = settings_->ToSettings(*pending_);
  pending_.reset();
  writing_ = true;
  StartWrite(&response_);
}

void SettingsWatchReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok || closing_) {
    FinishLocked();
  } else if (pending_) {
    WriteNextLocked();
  }
}

void SettingsWatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked();
}

void SettingsWatchReactor::Close() {
  absl::MutexLock lock(&mu_);
  closing_ = true;
  if (!writing_) FinishLocked();
}

void SettingsWatchReactor::FinishLocked() {
  if (finished_) return;
  finished_ = true;
  Finish(grpc::Status::OK);
}

void SettingsWatchReactor::OnDone() {
  // Unsubscribing waits for a callback in progress, so none can follow.
  subscription_.reset();
  streams_->Remove(this);
  delete this;
}

}  // namespace backinstock::api
