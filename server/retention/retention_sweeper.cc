#include "server/retention/retention_sweeper.h"

#include "server/logging/log.h"

namespace backinstock::retention {

RetentionSweeper::RetentionSweeper(store::NotificationRequestStore* store, RetentionOptions options)
    : store_(store), options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

RetentionSweeper::~RetentionSweeper() { Stop(); }

void RetentionSweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool RetentionSweeper::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void RetentionSweeper::Run() {
  bool again_now = false;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (!again_now) {
        auto stop = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_; };
        mu_.AwaitWithTimeout(absl::Condition(&stop), options_.interval);
      }
      if (stopping_) return;
    }
    again_now = false;
    if (options_.leadership && !options_.leadership->Acquire()) continue;
    auto keep_going = [this] {
      return !stopping() && (!options_.leadership || options_.leadership->Held());
    };
    absl::StatusOr<SweepResult> swept =
        SweepOnce(*store_, options_.policy, options_.clock(), options_.batch, keep_going);
    if (!swept.ok()) {
      // The next run tries again (for example once etcd has a quorum).
      logging::Warning("retention sweep stopped early",
                       {{"error", std::string(swept.status().message())}});
      continue;
    }
    deleted_.fetch_add(swept->deleted());
    if (options_.on_sweep) options_.on_sweep(*swept);
    if (!swept->error.ok()) {
      logging::Warning("retention sweep stopped early",
                       {{"error", std::string(swept->error.message())}});
    }
    if (swept->deleted() > 0) {
      logging::Info("retention sweep deleted expired notification requests",
                    {{"settled", swept->deleted_settled},
                     {"open", swept->deleted_open},
                     {"skipped", swept->skipped}});
    }
    // A full batch that made progress: more may be waiting.
    again_now = swept->batch_full && swept->deleted() > 0 && swept->error.ok();
  }
}

}  // namespace backinstock::retention
