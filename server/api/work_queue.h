// A small pool of threads for work too slow for gRPC's callback threads (a
// report runs the notifier for up to a batch of requests at a time). Bounded:
// when `max_pending` jobs wait already, TrySubmit refuses rather than letting
// work pile up without limit.
#ifndef BACKINSTOCK_SERVER_API_WORK_QUEUE_H_
#define BACKINSTOCK_SERVER_API_WORK_QUEUE_H_

#include <deque>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::api {

class WorkQueue {
 public:
  // Why a job was not run.
  enum class Refusal {
    kBusy,          // the queue is full
    kShuttingDown,  // the queue is closed: shutdown's grace ended first
  };

  WorkQueue(int threads, size_t max_pending);
  // Runs every job already accepted, then joins the threads.
  ~WorkQueue();

  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `job` (nullopt), or says why not: the queue is full or closed
  // (`job` is then dropped). `refuse`, when given, answers the job's call
  // instead of running it if the queue is drained by RefuseQueued first.
  std::optional<Refusal> TrySubmit(std::function<void()> job,
                                   std::function<void()> refuse = nullptr) ABSL_LOCKS_EXCLUDED(mu_);

  // Whether the queue is closed (RefuseQueued has run, or the destructor has
  // begun): every submission is then refused kShuttingDown.
  bool Closed() const ABSL_LOCKS_EXCLUDED(mu_);

  // At shutdown, once the grace period is over: every queued job that has
  // not started and has a refusal is answered with it (outside the lock, on
  // this thread), and later submissions are refused. Jobs without one, and
  // jobs already running, still run. Returns how many were refused.
  size_t RefuseQueued() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Job {
    std::function<void()> run;
    std::function<void()> refuse;
  };

  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  bool HasJobOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !jobs_.empty();
  }

  const size_t max_pending_;
  mutable absl::Mutex mu_;
  std::deque<Job> jobs_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_WORK_QUEUE_H_
