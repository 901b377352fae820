#include "server/store/etcd/history_compactor.h"

#include "server/logging/log.h"

namespace backinstock::store::etcd {

HistoryCompactor::HistoryCompactor(const EtcdClient* client, absl::Duration interval)
    : client_(client), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

HistoryCompactor::~HistoryCompactor() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

absl::Status HistoryCompactor::CompactNow() const {
  absl::StatusOr<int64_t> revision = client_->CurrentRevision();
  if (!revision.ok()) return revision.status();
  absl::Status compacted = client_->Compact(*revision);
  // Another replica compacted at this revision or a later one first: the
  // history this run would have dropped is gone either way.
  if (!compacted.ok() && !EtcdClient::AlreadyCompacted(compacted)) return compacted;
  compactions_.fetch_add(1);
  return absl::OkStatus();
}

void HistoryCompactor::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval_)) return;
    }
    // A failure (no quorum) is retried at the next interval.
    if (absl::Status compacted = CompactNow(); !compacted.ok()) {
      logging::Warning("etcd history compaction failed; retried at the next interval",
                       {{"error", compacted.message()}});
    }
  }
}

}  // namespace backinstock::store::etcd
