// The background retention sweep: a thread of its own that, every `interval`,
// runs one bounded SweepOnce (at most `batch` deletes) when this process may
// sweep (SweepLeadership). A run that found a full batch is followed by the
// next one at once, so a backlog drains batch by batch while writers only
// ever wait for one delete.
#ifndef BACKINSTOCK_SERVER_RETENTION_RETENTION_SWEEPER_H_
#define BACKINSTOCK_SERVER_RETENTION_RETENTION_SWEEPER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/retention/retention_policy.h"
#include "server/retention/sweep.h"
#include "server/retention/sweep_leadership.h"
#include "server/store/notification_request_store.h"

namespace backinstock::retention {

struct RetentionOptions {
  RetentionPolicy policy;
  absl::Duration interval = absl::Minutes(1);
  size_t batch = 1000;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Null: this process always sweeps.
  std::unique_ptr<SweepLeadership> leadership;
  // Told what each run did (metrics); may be empty. Runs on the sweeper's
  // thread.
  std::function<void(const SweepResult&)> on_sweep;
};

class RetentionSweeper {
 public:
  // Starts the thread; the first run is one interval away. `store` must
  // outlive the sweeper.
  RetentionSweeper(store::NotificationRequestStore* store, RetentionOptions options);
  // Stop().
  ~RetentionSweeper();

  // Ends the thread; a run in progress stops before its next delete.
  // Idempotent.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);

  // Requests deleted by this process so far.
  int64_t deleted() const { return deleted_.load(); }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  bool stopping() const ABSL_LOCKS_EXCLUDED(mu_);

  store::NotificationRequestStore* store_;
  RetentionOptions options_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int64_t> deleted_{0};
  std::thread thread_;
};

}  // namespace backinstock::retention

#endif  // BACKINSTOCK_SERVER_RETENTION_RETENTION_SWEEPER_H_
