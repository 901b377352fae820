#include "server/api/work_queue.h"

namespace backinstock::api {

WorkQueue::WorkQueue(int threads, size_t max_pending) : max_pending_(max_pending) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

WorkQueue::~WorkQueue() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& thread : threads_) thread.join();
}

std::optional<WorkQueue::Refusal> WorkQueue::TrySubmit(std::function<void()> job,
                                                       std::function<void()> refuse) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return Refusal::kShuttingDown;
  if (jobs_.size() >= max_pending_) return Refusal::kBusy;
  jobs_.push_back(Job{std::move(job), std::move(refuse)});
  return std::nullopt;
}

bool WorkQueue::Closed() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

size_t WorkQueue::RefuseQueued() {
  std::vector<std::function<void()>> refusals;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    std::deque<Job> kept;
    for (Job& job : jobs_) {
      if (job.refuse) {
        refusals.push_back(std::move(job.refuse));
      } else {
        kept.push_back(std::move(job));
      }
    }
    jobs_.swap(kept);
  }
  for (const std::function<void()>& refuse : refusals) refuse();
  return refusals.size();
}

void WorkQueue::Run() {
  for (;;) {
    std::function<void()> job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &WorkQueue::HasJobOrStopping));
      // Accepted jobs always run, even when stopping: each one owes a call
      // its reply.
      if (jobs_.empty()) return;
      job = std::move(jobs_.front().run);
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace backinstock::api
