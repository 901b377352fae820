// Confirms, for callers about to refuse on what the replica cache says (a
// Create to a site whose collection looks off), that the cache has caught up
// with etcd. Each confirmation is one fence write (EtcdClient::WriteFence)
// and a wait for the cache to apply it.
//
// Concurrent callers share confirmations: a caller waits for one that
// STARTED after it arrived (one already under way may have written its fence
// before a write that was acknowledged just before the caller came), so each
// caller gets exactly the guarantee of a fence of its own. A flood of such
// callers thus costs etcd at most one fence in flight per replica (two per
// caller at worst: the one under way when it arrived, then its own), and
// each caller waits for at most two of them, instead of each taking a
// write-pool thread for a fence and a wait of its own.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_SHARED_CATCH_UP_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_SHARED_CATCH_UP_H_

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::store::etcd {

class SharedCatchUp {
 public:
  explicit SharedCatchUp(std::function<absl::Status()> confirm) : confirm_(std::move(confirm)) {}

  // The outcome of a confirmation that started after this call did.
  absl::Status Confirm() ABSL_LOCKS_EXCLUDED(mu_);

  // Confirmations run so far, and callers waiting for one (for tests).
  int64_t confirmations() const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t waiting() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::function<absl::Status()> confirm_;
  mutable absl::Mutex mu_;
  int64_t started_ ABSL_GUARDED_BY(mu_) = 0;   // confirmations started
  int64_t finished_ ABSL_GUARDED_BY(mu_) = 0;  // confirmations finished, in order
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status last_ ABSL_GUARDED_BY(mu_);  // outcome of confirmation `finished_`
  int64_t waiting_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_SHARED_CATCH_UP_H_
