// A site's writes run one after another; the calls waiting behind a write
// hold no thread, are asked again when it ends, and are refused (busy or
// shutting down) rather than dropped.
#include "server/api/serial_site_writes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace backinstock::api {
namespace {

using ::testing::ElementsAre;

using Refusal = SerialSiteWrites::Refusal;

// A wait that would only end if the code under test works; a broken one
// fails the test after this long instead of hanging it.
constexpr absl::Duration kPatience = absl::Seconds(30);

// What happened to each call, in order.
class Log {
 public:
  void Add(std::string event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(event));
  }
  std::vector<std::string> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  // Waits until `n` calls were answered one way or another; false when
  // they were not within kPatience.
  [[nodiscard]] bool AwaitEvents(size_t n) const {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return events_.size() >= n; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), kPatience);
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

// A call named `name`: needs a write until `done` says the state already is
// what it asks for; its write runs `before_write` first (to hold it).
SerialSiteWrites::Call MakeCall(Log* log, std::string name, std::function<bool()> done,
                                std::function<void()> before_write = nullptr) {
  return SerialSiteWrites::Call{
      [log, name, done] {
        if (!done()) return false;
        log->Add("answered " + name);
        return true;
      },
      [log, name, before_write] {
        if (before_write) before_write();
        log->Add("wrote " + name);
      },
      [log, name](Refusal refusal) {
        log->Add((refusal == Refusal::kBusy ? "busy " : "shutting down ") + name);
      }};
}

std::function<bool()> Never() {
  return [] { return false; };
}

// A write that, once started, holds its pool thread until released.
class HeldWrite {
 public:
  // The write's `before_write`; `then` runs once it is released.
  std::function<void()> Hold(std::function<void()> then = nullptr) {
    return [this, then] {
      started_.Notify();
      release_.WaitForNotification();
      if (then) then();
    };
  }
  [[nodiscard]] bool AwaitStart() { return started_.WaitForNotificationWithTimeout(kPatience); }
  void Release() { release_.Notify(); }

 private:
  absl::Notification started_;
  absl::Notification release_;
};

TEST(SerialSiteWrites, CallsBehindABusySiteHoldNoThreadAndAreAskedAgainWhenItsWriteEnds) {
  Log log;
  HeldWrite held;
  // Two threads: a1's write holds one; site b's write must get the other
  // while a2-a5 wait (were each a job of its own, a2 would take it first).
  auto queue = std::make_unique<WorkQueue>(2, 16);
  SerialSiteWrites writes(queue.get(), 16);
  std::atomic<bool> a_written{false};
  writes.Submit("a", MakeCall(&log, "a1", Never(), held.Hold([&] { a_written = true; })));
  ASSERT_TRUE(held.AwaitStart());
  auto a_is_written = [&] { return a_written.load(); };
  writes.Submit("a", MakeCall(&log, "a2", Never()));
  writes.Submit("a", MakeCall(&log, "a3", a_is_written));
  writes.Submit("a", MakeCall(&log, "a4", Never()));
  writes.Submit("a", MakeCall(&log, "a5", a_is_written));
  EXPECT_EQ(writes.BusySites(), 1u);

  writes.Submit("b", MakeCall(&log, "b1", Never()));
  ASSERT_TRUE(log.AwaitEvents(1));
  EXPECT_THAT(log.events(), ElementsAre("wrote b1")) << "site b waited behind site a";

  held.Release();
  ASSERT_TRUE(log.AwaitEvents(6));
  queue.reset();  // joins: every line has ended
  // a3 and a5 need no write once a1 landed: answered at once, ahead of a2's
  // write; a4 is asked again after a2's and still needs its own.
  EXPECT_THAT(log.events(), ElementsAre("wrote b1", "wrote a1", "answered a3", "answered a5",
                                        "wrote a2", "wrote a4"));
  EXPECT_EQ(writes.BusySites(), 0u);
}

TEST(SerialSiteWrites, OneSiteRunsOneWriteAtATime) {
  Log log;
  auto queue = std::make_unique<WorkQueue>(4, 64);
  SerialSiteWrites writes(queue.get(), 64);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  auto measure = [&] {
    const int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    absl::SleepFor(absl::Milliseconds(1));  // widens the window an overlap would need
    --running;
  };
  for (int i = 0; i < 20; ++i) writes.Submit("a", MakeCall(&log, "a", Never(), measure));
  ASSERT_TRUE(log.AwaitEvents(20));
  queue.reset();
  EXPECT_EQ(most.load(), 1);
  EXPECT_EQ(log.events().size(), 20u);
}

TEST(SerialSiteWrites, ParkingIsBoundedAcrossAllSites) {
  Log log;
  HeldWrite held;
  auto queue = std::make_unique<WorkQueue>(1, 16);
  SerialSiteWrites writes(queue.get(), /*max_parked=*/2);
  writes.Submit("a", MakeCall(&log, "a1", Never(), held.Hold()));
  ASSERT_TRUE(held.AwaitStart());
  writes.Submit("b", MakeCall(&log, "b1", Never()));  // queued, not parked
  writes.Submit("a", MakeCall(&log, "a2", Never()));
  writes.Submit("b", MakeCall(&log, "b2", Never()));
  EXPECT_EQ(writes.Parked(), 2u);
  writes.Submit("a", MakeCall(&log, "a3", Never()));
  EXPECT_THAT(log.events(), ElementsAre("busy a3"));
  held.Release();
  ASSERT_TRUE(log.AwaitEvents(5));
  queue.reset();
  EXPECT_THAT(log.events(), ElementsAre("busy a3", "wrote a1", "wrote b1", "wrote a2", "wrote b2"));
  EXPECT_EQ(writes.Parked(), 0u);
}

TEST(SerialSiteWrites, AFullQueueRefusesBusyAndClosesTheLine) {
  Log log;
  auto queue = std::make_unique<WorkQueue>(1, /*max_pending=*/0);
  SerialSiteWrites writes(queue.get(), 16);
  writes.Submit("a", MakeCall(&log, "a1", Never()));
  EXPECT_THAT(log.events(), ElementsAre("busy a1"));
  EXPECT_EQ(writes.BusySites(), 0u);
}

TEST(SerialSiteWrites, AtShutdownAQueuedWriteAndTheCallsBehindItAreRefused) {
  Log log;
  HeldWrite held;
  auto queue = std::make_unique<WorkQueue>(1, 16);
  SerialSiteWrites writes(queue.get(), 16);
  // Holds the only thread, so site a's write stays queued.
  writes.Submit("x", MakeCall(&log, "x1", Never(), held.Hold()));
  ASSERT_TRUE(held.AwaitStart());
  writes.Submit("a", MakeCall(&log, "a1", Never()));
  writes.Submit("a", MakeCall(&log, "a2", Never()));
  writes.Submit("a", MakeCall(&log, "a3", Never()));
  EXPECT_EQ(queue->RefuseQueued(), 1u);
  EXPECT_THAT(log.events(),
              ElementsAre("shutting down a1", "shutting down a2", "shutting down a3"));
  held.Release();
  queue.reset();
  EXPECT_THAT(log.events(),
              ElementsAre("shutting down a1", "shutting down a2", "shutting down a3", "wrote x1"));
  EXPECT_EQ(writes.BusySites(), 0u);
}

TEST(SerialSiteWrites, CallsParkedBehindARunningWriteAreRefusedOnceTheQueueIsClosed) {
  Log log;
  HeldWrite held;
  auto queue = std::make_unique<WorkQueue>(1, 16);
  SerialSiteWrites writes(queue.get(), 16);
  writes.Submit("a", MakeCall(&log, "a1", Never(), held.Hold()));
  ASSERT_TRUE(held.AwaitStart());
  writes.Submit("a", MakeCall(&log, "a2", Never()));
  EXPECT_EQ(queue->RefuseQueued(), 0u) << "a2 is parked, not queued";
  held.Release();
  ASSERT_TRUE(log.AwaitEvents(2));
  queue.reset();
  // Not "busy": the queue refused a2's write because it is closed.
  EXPECT_THAT(log.events(), ElementsAre("wrote a1", "shutting down a2"));
  EXPECT_EQ(writes.BusySites(), 0u);
}

}  // namespace
}  // namespace backinstock::api
