// Refused Creates share their confirming reads: however many callers arrive
// while a confirmation runs, they cost one more, and none of them is answered
// by a confirmation that started before it arrived.
#include "server/store/etcd/shared_catch_up.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "tests/support/eventually.h"

namespace backinstock::store::etcd {
namespace {

using testing::Eventually;

// A confirmation that can be held; each one answers with its own number, so
// a caller can tell which confirmation answered it.
class HeldConfirmation {
 public:
  absl::Status operator()() {
    absl::MutexLock lock(&mu_);
    const int number = ++entered_;
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !held_; };
    mu_.Await(absl::Condition(&released));
    return absl::UnavailableError(std::to_string(number));
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  int entered() {
    absl::MutexLock lock(&mu_);
    return entered_;
  }

 private:
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = true;
  int entered_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(SharedCatchUp, CallersArrivingDuringAConfirmationShareTheNextOne) {
  HeldConfirmation held;
  SharedCatchUp catch_up([&held] { return held(); });

  absl::Status first_outcome;
  std::thread first([&] { first_outcome = catch_up.Confirm(); });
  ASSERT_TRUE(
      Eventually([&] { return held.entered() == 1; }, absl::Seconds(60), absl::Milliseconds(1)));

  constexpr int kLater = 50;
  std::vector<absl::Status> outcomes(kLater);
  std::vector<std::thread> later;
  for (int i = 0; i < kLater; ++i) {
    later.emplace_back([&, i] { outcomes[i] = catch_up.Confirm(); });
  }
  ASSERT_TRUE(Eventually([&] { return catch_up.waiting() == kLater + 1; }, absl::Seconds(60),
                         absl::Milliseconds(1)));
  held.Release();
  first.join();
  for (std::thread& thread : later) thread.join();

  EXPECT_EQ(catch_up.confirmations(), 2) << "51 callers, two confirmations";
  EXPECT_EQ(first_outcome.message(), "1");
  for (const absl::Status& outcome : outcomes) {
    // The first confirmation had started before they came: not theirs.
    EXPECT_EQ(outcome.message(), "2");
  }
}

TEST(SharedCatchUp, ACallerAfterAFinishedConfirmationGetsANewOne) {
  std::atomic<int> runs{0};
  SharedCatchUp catch_up([&runs] {
    ++runs;
    return absl::OkStatus();
  });
  EXPECT_TRUE(catch_up.Confirm().ok());
  EXPECT_TRUE(catch_up.Confirm().ok());
  EXPECT_EQ(runs.load(), 2) << "nothing is cached across time";
  EXPECT_EQ(catch_up.waiting(), 0);
}

}  // namespace
}  // namespace backinstock::store::etcd
