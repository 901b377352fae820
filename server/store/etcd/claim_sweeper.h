// Takes over the queued emails that a dead replica left PROCESSING. When a
// replica's lease expires, etcd deletes its claim keys; the cache then points
// out the PROCESSING requests without one (orphans), and this sweeper, on
// every replica, adopts each: it claims the request on its own lease (and
// bumps the record's revision, so that a late former owner's writes fail) and
// hands the record to the delivery queue, which sends the email again with the
// same Message-ID (at least once). An orphan with no queued email (written
// before emails were queued) is settled FAILED with auto_notified = true.
//
// The cache may lag behind etcd, so it only says where to look: the adoption
// is a transaction guarded on the record's mod_revision and on the claim key's
// absence, so of two sweeping replicas, or a sweeper and a late owner
// settling the request itself, exactly one wins.
//
// Nothing is swept until Start hands the sweeper where adopted emails go. A
// sweep then runs when the cache reports new orphans (a claim key deleted, the
// store re-read after a compaction), once at Start (orphans of a replica that
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
#include "server/store/etcd/replica_lease.h"
#include "server/store/notification_request_store.h"

namespace backinstock::store::etcd {

class ClaimSweeper {
 public:
  // Starts the sweeping thread, which waits for Start.
  ClaimSweeper(EtcdCache* cache, Committer* committer, ReplicaLease* lease,
               absl::Duration interval);
  // Stops the thread (a sweep in progress finishes its current transaction).
  ~ClaimSweeper();

  // Adopted emails go to `adopted` from now on; the first sweep runs at once.
  void Start(NotificationRequestStore::ResumeHandler adopted) ABSL_LOCKS_EXCLUDED(mu_);

  // Makes the thread sweep again soon (the cache's orphans callback).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);

  // Orphans this replica has adopted, and settled FAILED (no queued email).
  int64_t adopted() const { return adopted_.load(); }
  int64_t settled() const { return settled_.load(); }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  void Sweep(const NotificationRequestStore::ResumeHandler& adopted);
  // One guarded transaction for one orphan; true when it won.
  bool Adopt(const EtcdCache::Orphan& orphan, const NotificationRequestStore::ResumeHandler& to);

  EtcdCache* cache_;
  Committer* committer_;
  ReplicaLease* lease_;
  const absl::Duration interval_;

  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = true;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  NotificationRequestStore::ResumeHandler adopted_to_ ABSL_GUARDED_BY(mu_);

  std::atomic<int64_t> adopted_{0};
  std::atomic<int64_t> settled_{0};
  std::thread thread_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_CLAIM_SWEEPER_H_
