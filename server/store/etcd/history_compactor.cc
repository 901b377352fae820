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

absl::Status HistoryCompactor::Step(int64_t* previous) {
  absl::StatusOr<int64_t> revision = client_->CurrentRevision();
  if (!revision.ok()) return revision.status();
  const int64_t target = *previous;
  *previous = *revision;
  if (target == 0) return absl::OkStatus();
  absl::Status compacted = client_->Compact(target);
  // Another replica compacted at this revision or a later one first: the
  // history this run would have dropped is gone either way.
  if (!compacted.ok() && !EtcdClient::AlreadyCompacted(compacted)) return compacted;
  compactions_.fetch_add(1);
  return absl::OkStatus();
}

void HistoryCompactor::Run() {
  int64_t previous = 0;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval_ / 2)) return;
    }
    // A failure (no quorum) is retried at the next run, at the revision read
    // then (a compaction that fell behind only catches up).
    if (absl::Status compacted = Step(&previous); !compacted.ok()) {
      logging::Warning("etcd history compaction failed; retried at the next run",
                       {{"error", compacted.message()}});
    }
  }
}

}  // namespace backinstock::store::etcd
