#include "server/api/settings_watch_reactor.h"

#include "absl/time/clock.h"
#include "backinstock/errors/grpc_status.h"

namespace backinstock::api {

grpc::ServerWriteReactor<v1::WatchSettingsResponse>* SettingsWatchReactor::Start(
    const std::string& site, const auth::StreamCredentials& credentials,
    const domain::SettingsManager* settings, store::SettingsStore* store,
    StreamTracker* streams) {
  auto* reactor = new SettingsWatchReactor(credentials, settings, streams);
  if (std::optional<grpc::Status> refused = streams->Add(reactor, site, credentials)) {
    // Shutting down (OK) or over a cap: end at once.
    absl::MutexLock lock(&reactor->mu_);
    reactor->FinishLocked(*refused);
    return reactor;
  }
  // The store calls back with the current record first, then every change.
  reactor->subscription_ =
      store->Watch(site, [reactor](const store::SettingsRecord& record) { reactor->OnChange(record); });
  return reactor;
}

void SettingsWatchReactor::OnChange(const store::SettingsRecord& record) {
  absl::MutexLock lock(&mu_);
  if (finished_ || ending_ || record.revision <= last_revision_) return;
  // The tracker ends expired streams from a timer, which may run late: a
  // change is never sent on credentials that have lapsed.
  if (absl::Status valid = credentials_.CheckTime(absl::Now()); !valid.ok()) {
    pending_.reset();
    ending_ = errors::ToGrpcStatus(valid);
    if (!writing_) FinishLocked(*ending_);
    return;
  }
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
  if (!ok) {
    FinishLocked(grpc::Status::OK);
  } else if (ending_) {
    FinishLocked(*ending_);
  } else if (pending_) {
    WriteNextLocked();
  }
}

void SettingsWatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status::OK);
}

void SettingsWatchReactor::End(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  if (ending_) return;  // the first reason to end stands
  ending_ = status;
  pending_.reset();
  if (!writing_) FinishLocked(status);
}

void SettingsWatchReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

void SettingsWatchReactor::OnDone() {
  // Unsubscribing waits for a callback in progress, so none can follow.
  subscription_.reset();
  streams_->Remove(this);
  delete this;
}

}  // namespace backinstock::api
