#include "server/store/etcd/etcd_backend.h"

#include <algorithm>

namespace backinstock::store::etcd {

absl::StatusOr<std::unique_ptr<EtcdBackend>> EtcdBackend::Open(const EtcdOptions& options,
                                                               absl::Duration startup_timeout) {
  const absl::Time deadline = absl::Now() + startup_timeout;
  std::unique_ptr<EtcdBackend> backend(new EtcdBackend());
  absl::StatusOr<std::unique_ptr<EtcdClient>> client = EtcdClient::Connect(options);
  if (!client.ok()) return client.status();
  backend->client_ = *std::move(client);
  absl::StatusOr<std::unique_ptr<EtcdCache>> cache =
      EtcdCache::Start(backend->client_.get(), startup_timeout);
  if (!cache.ok()) return cache.status();
  backend->cache_ = *std::move(cache);
  Committer::SendTxn send;
  if (options.observe_txn) {
    // A group is one transaction whose success branch nests its members.
    send = [client = backend->client_.get(),
            observe = options.observe_txn](const etcdserverpb::TxnRequest& txn) {
      int nested = 0;
      for (const etcdserverpb::RequestOp& op : txn.success()) nested += op.has_request_txn();
      const absl::Time start = absl::Now();
      absl::StatusOr<etcdserverpb::TxnResponse> response = client->Txn(txn);
      observe(absl::Now() - start, std::max(1, nested));
      return response;
    };
  }
  backend->committer_ =
      std::make_unique<Committer>(backend->client_.get(), backend->cache_.get(),
                                  options.txns_in_flight, absl::Seconds(8), std::move(send));
  absl::StatusOr<std::unique_ptr<ReplicaLease>> lease =
      ReplicaLease::Start(backend->client_.get(), options.lease_ttl, deadline);
  if (!lease.ok()) return lease.status();
  backend->lease_ = *std::move(lease);
  // Sweeping as often as a lease can expire retries a sweep that failed
  // (no quorum) in good time; new orphans wake it at once.
  backend->sweeper_ = std::make_unique<ClaimSweeper>(
      backend->cache_.get(), backend->committer_.get(), backend->lease_.get(),
      absl::Seconds(backend->lease_->ttl_seconds()));
  ClaimSweeper* sweeper = backend->sweeper_.get();
  backend->cache_->SetOrphansCallback([sweeper] { sweeper->Wake(); });
  backend->compactor_ =
      std::make_unique<HistoryCompactor>(backend->client_.get(), options.compaction_interval);
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
  backend->lease_->SetHealthCallback([raw](bool) { raw->Report(); });
  return backend;
}

EtcdBackend::~EtcdBackend() {
  compactor_.reset();
  if (cache_) cache_->SetOrphansCallback(nullptr);
  sweeper_.reset();
  if (lease_) lease_->SetHealthCallback(nullptr);
  lease_.reset();  // revokes the lease: claims left behind are released at once
  committer_.reset();
  cache_.reset();
}

std::unique_ptr<SettingsStore> EtcdBackend::NewSettingsStore() {
  return std::make_unique<EtcdSettingsStore>(client_.get(), cache_.get(), committer_.get());
}

std::unique_ptr<NotificationRequestStore> EtcdBackend::NewRequestStore() {
  return std::make_unique<EtcdNotificationRequestStore>(
      client_.get(), cache_.get(), committer_.get(), lease_.get(), sweeper_.get());
}

std::unique_ptr<EmailTemplateStore> EtcdBackend::NewEmailTemplateStore() {
  return std::make_unique<EtcdEmailTemplateStore>(client_.get(), cache_.get(), committer_.get());
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
  if (on_health_) on_health_(following_ && committer_->writable() && lease_->held());
}

}  // namespace backinstock::store::etcd
