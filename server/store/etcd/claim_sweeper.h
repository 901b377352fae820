// Settles the requests that a dead replica left PROCESSING. When a replica's
// lease expires, etcd deletes its claim keys; the cache then points out the
// PROCESSING requests without one (orphans), and this sweeper, on every
// replica, marks each FAILED with auto_notified = true. At most once, as the
// durable store does after a crash: the dead replica may have sent the
// notification before it died, so it is never sent again.
//
// The cache may lag behind etcd, so it only says where to look: the sweep is
// a transaction guarded on the record's mod_revision and on the claim key's
// absence, so of two sweeping replicas, or a sweeper and a late owner
// settling the request itself, exactly one wins.
//
// A sweep runs when the cache reports new orphans (a claim key deleted, the
// store re-read after a compaction), once at start (orphans of a replica that
// died while this one was down), and every `interval` in case a sweep failed
// (no quorum).
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_CLAIM_SWEEPER_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_CLAIM_SWEEPER_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_cache.h"

namespace backinstock::store::etcd {

class ClaimSweeper {
 public:
  // Starts the sweeping thread; the first sweep runs at once.
  ClaimSweeper(EtcdCache* cache, Committer* committer, absl::Duration interval);
  // Stops the thread (a sweep in progress finishes its current transaction).
  ~ClaimSweeper();

  // Makes the thread sweep again soon (the cache's orphans callback).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);

  // Requests this replica has marked FAILED.
  int64_t settled() const { return settled_.load(); }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  void Sweep();
  // One guarded transaction for one orphan; true when it settled it.
  bool Settle(const EtcdCache::Orphan& orphan);

  EtcdCache* cache_;
  Committer* committer_;
  const absl::Duration interval_;

  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = true;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::atomic<int64_t> settled_{0};
  std::thread thread_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_CLAIM_SWEEPER_H_
