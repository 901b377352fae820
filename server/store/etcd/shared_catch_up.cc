#include "server/store/etcd/shared_catch_up.h"

namespace backinstock::store::etcd {

absl::Status SharedCatchUp::Confirm() {
  absl::MutexLock lock(&mu_);
  // Any confirmation numbered above those started so far starts after now.
  const int64_t needed = started_ + 1;
  ++waiting_;
  for (;;) {
    if (finished_ >= needed) {
      --waiting_;
      return last_;
    }
    if (!running_) {
      // Nobody is confirming: this caller runs the next one for everybody
      // waiting, outside the lock.
      running_ = true;
      const int64_t number = ++started_;
      mu_.Unlock();
      absl::Status outcome = confirm_();
      mu_.Lock();
      running_ = false;
      finished_ = number;
      last_ = std::move(outcome);
      continue;
    }
    auto done_or_idle = [this, needed]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return finished_ >= needed || !running_;
    };
    mu_.Await(absl::Condition(&done_or_idle));
  }
}

int64_t SharedCatchUp::confirmations() const {
  absl::MutexLock lock(&mu_);
  return finished_;
}

int64_t SharedCatchUp::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

}  // namespace backinstock::store::etcd
