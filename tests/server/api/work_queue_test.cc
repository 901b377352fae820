// The work queue at shutdown: jobs that have not started are answered with
// their refusal instead of running; the running one finishes.
#include "server/api/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>

#include "absl/synchronization/notification.h"

namespace backinstock::api {
namespace {

TEST(WorkQueue, RefuseQueuedAnswersWhatHasNotStartedAndLetsTheRunningJobFinish) {
  absl::Notification running;
  absl::Notification release;
  std::atomic<int> ran{0};
  std::atomic<int> refused{0};
  {
    WorkQueue queue(1, 16);
    ASSERT_EQ(std::nullopt, queue.TrySubmit([&] {
      running.Notify();
      release.WaitForNotification();
      ++ran;
    }));
    running.WaitForNotification();
    for (int i = 0; i < 5; ++i) {
      ASSERT_EQ(std::nullopt, queue.TrySubmit([&] { ++ran; }, [&] { ++refused; }));
    }
    EXPECT_FALSE(queue.Closed());
    EXPECT_EQ(queue.RefuseQueued(), 5u);
    EXPECT_EQ(refused.load(), 5);
    EXPECT_EQ(queue.TrySubmit([&] { ++ran; }, [&] { ++refused; }),
              WorkQueue::Refusal::kShuttingDown)
        << "closed for new work";
    EXPECT_TRUE(queue.Closed());
    release.Notify();
  }
  EXPECT_EQ(ran.load(), 1) << "only the job that had started ran";
  EXPECT_EQ(refused.load(), 5);
}

TEST(WorkQueue, AJobWithoutARefusalStillRuns) {
  std::atomic<int> ran{0};
  absl::Notification running;
  absl::Notification release;
  {
    WorkQueue queue(1, 16);
    ASSERT_EQ(std::nullopt, queue.TrySubmit([&] {
      running.Notify();
      release.WaitForNotification();
    }));
    running.WaitForNotification();
    ASSERT_EQ(std::nullopt, queue.TrySubmit([&] { ++ran; }));
    EXPECT_EQ(queue.RefuseQueued(), 0u);
    release.Notify();
  }
  EXPECT_EQ(ran.load(), 1);
}

}  // namespace
}  // namespace backinstock::api
