#include "server/store/etcd/etcd_backend.h"

namespace backinstock::store::etcd {

absl::StatusOr<std::unique_ptr<EtcdBackend>> EtcdBackend::Open(const EtcdOptions& options,
                                                              absl::Duration startup_timeout) {
  std::unique_ptr<EtcdBackend> backend(new EtcdBackend());
  absl::StatusOr<std::unique_ptr<EtcdClient>> client = EtcdClient::Connect(options);
  if (!client.ok()) return client.status();
  backend->client_ = *std::move(client);
  absl::StatusOr<std::unique_ptr<EtcdCache>> cache =
      EtcdCache::Start(backend->client_.get(), startup_timeout);
  if (!cache.ok()) return cache.status();
  backend->cache_ = *std::move(cache);
  backend->committer_ = std::make_unique<Committer>(backend->client_.get(), backend->cache_.get());
  EtcdBackend* raw = backend.get();
  backend->cache_->SetHealthCallback([raw](bool following) {
    {
      absl::MutexLock lock(&raw->mu_);
      raw->following_ = following;
      // The watch only runs on a member that has a leader: writes can reach a
      // quorum again, even if no write has tried since the last failure.
      if (following) raw->committer_->AssumeWritable();
    }
    raw->Report();
  });
  backend->committer_->SetHealthCallback([raw](bool) { raw->Report(); });
  return backend;
}

EtcdBackend::~EtcdBackend() {
  committer_.reset();
  cache_.reset();
}

std::unique_ptr<SettingsStore> EtcdBackend::NewSettingsStore() {
  return std::make_unique<EtcdSettingsStore>(client_.get(), cache_.get(), committer_.get());
}

std::unique_ptr<NotificationRequestStore> EtcdBackend::NewRequestStore() {
  return std::make_unique<EtcdNotificationRequestStore>(client_.get(), cache_.get(),
                                                        committer_.get());
}

void EtcdBackend::SetHealthCallback(std::function<void(bool writable)> callback) {
  {
    absl::MutexLock lock(&mu_);
    on_health_ = std::move(callback);
  }
  Report();
}

void EtcdBackend::Report() {
  absl::MutexLock lock(&mu_);
  // Read at report time, so that the last report carries the latest state.
  if (on_health_) on_health_(following_ && committer_->writable());
}

}  // namespace backinstock::store::etcd
