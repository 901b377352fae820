// Compacts etcd's history every `interval`: etcd keeps every earlier value of
// every key (its MVCC history) until a compaction drops the revisions before
// a given one, so an erased customer's email would otherwise stay readable
// with a range read at an old revision. Every `interval / 2` a run reads the
// cluster's current revision and compacts at the one the previous run read:
// history half an interval old goes, so a value deleted at any moment is out
// of the history within `interval`, while a watch that dropped or lags by
// less than half an interval still resumes instead of reading the whole
// store again (and a replica's full load, which reads pages at one revision,
// is not cut short by a compaction at the newest revision). Every replica
// runs one: a compaction is idempotent, and "already compacted" from a
// replica that came second is success.
//
// Watches that lag further are told so by etcd; the replica cache then reads
// the store again (watch_loop.h), and that is the only cost.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_HISTORY_COMPACTOR_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_HISTORY_COMPACTOR_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/etcd/etcd_client.h"

namespace backinstock::store::etcd {

class HistoryCompactor {
 public:
  // Starts the thread; the first compaction runs one `interval` from now, at
  // the revision read half an interval from now.
  // `client` must outlive the compactor.
  HistoryCompactor(const EtcdClient* client, absl::Duration interval);
  // Stops the thread (a compaction in flight is bounded by the call timeout).
  ~HistoryCompactor();

  HistoryCompactor(const HistoryCompactor&) = delete;
  HistoryCompactor& operator=(const HistoryCompactor&) = delete;

  // Compactions that succeeded (including "already compacted").
  int64_t compactions() const { return compactions_.load(); }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // One run: compacts at `*previous` (when set) and stores the current
  // revision there for the next run.
  absl::Status Step(int64_t* previous);

  const EtcdClient* client_;
  const absl::Duration interval_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  mutable std::atomic<int64_t> compactions_{0};
  std::thread thread_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_HISTORY_COMPACTOR_H_
