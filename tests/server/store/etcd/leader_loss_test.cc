// Losing etcd's leader under a steady write load: one replica over a 3-member
// cluster, 20 writers toggling their own site's collection state, the leader
// SIGKILLed once writes flow. The replica spreads its calls over the members,
// so writes are in flight through followers too, which hold a proposal lost
// with the leader until the caller gives up on it. No write may fail (each
// waits out the election within the server's write budget), and the writes
// resume. The longest gap between two acknowledged writes is printed (and
// recorded as a test property) beside etcd's own election time: a figure to
// read, not a pass/fail criterion, since the machine may be loaded.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/server/store/etcd/replicas.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

class EtcdLeaderLossTest : public EtcdReplicasTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartCluster());
    ASSERT_NO_FATAL_FAILURE(StartReplica());
  }
};

// Acknowledgement times of every writer, and the failures.
class WriteLog {
 public:
  void Acked(absl::Time at) {
    absl::MutexLock lock(&mutex_);
    acked_.push_back(at);
  }
  void Failed(const absl::Status& status) {
    absl::MutexLock lock(&mutex_);
    failures_.push_back(status);
  }
  int AckedSince(absl::Time since) {
    absl::MutexLock lock(&mutex_);
    return static_cast<int>(
        std::count_if(acked_.begin(), acked_.end(), [&](absl::Time at) { return at >= since; }));
  }
  std::vector<absl::Status> failures() {
    absl::MutexLock lock(&mutex_);
    return failures_;
  }
  // The longest time without an acknowledged write, from `from` on.
  absl::Duration LongestGapSince(absl::Time from) {
    absl::MutexLock lock(&mutex_);
    std::vector<absl::Time> times = acked_;
    std::sort(times.begin(), times.end());
    absl::Duration longest;
    absl::Time previous = from;
    for (absl::Time at : times) {
      if (at < from) continue;
      longest = std::max(longest, at - previous);
      previous = at;
    }
    return longest;
  }

 private:
  absl::Mutex mutex_;
  std::vector<absl::Time> acked_ ABSL_GUARDED_BY(mutex_);
  std::vector<absl::Status> failures_ ABSL_GUARDED_BY(mutex_);
};

TEST_F(EtcdLeaderLossTest, WritesWaitOutTheElectionWithoutFailing) {
  constexpr int kWriters = 20;
  WriteLog log;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      const Credentials owner = As(absl::StrCat("shop-leader-", w), "user");
      for (bool collecting = true; !stop.load(); collecting = !collecting) {
        auto settings = A().settings->Set(owner, collecting);
        if (settings.ok()) {
          log.Acked(absl::Now());
        } else {
          log.Failed(settings.status());
        }
      }
    });
  }

  const absl::Time started = absl::Now();
  ASSERT_TRUE(Eventually([&] { return log.AckedSince(started) >= 200; }));
  auto leader = cluster_->Leader();
  ASSERT_TRUE(leader.ok()) << leader.status();
  const absl::Time killed = absl::Now();
  ASSERT_TRUE(cluster_->Kill(*leader).ok());
  // etcd's own recovery, measured beside ours: the time until a surviving
  // member answers a read that needs a leader.
  const int survivor = *leader == 0 ? 1 : 0;
  absl::Duration election = absl::InfiniteDuration();
  if (cluster_->WaitHealthy(survivor).ok()) election = absl::Now() - killed;
  const bool resumed = Eventually([&] { return log.AckedSince(killed) >= 400; });
  stop.store(true);
  for (std::thread& writer : writers) writer.join();

  ASSERT_TRUE(resumed) << "acknowledged after the kill: " << log.AckedSince(killed);
  for (const absl::Status& failure : log.failures()) ADD_FAILURE() << failure;
  const absl::Duration gap = log.LongestGapSince(killed - absl::Seconds(1));
  std::printf(
      "leader loss: longest gap between acknowledged writes %lld ms; etcd's election "
      "(kill to a leader-requiring read answered) %lld ms\n",
      static_cast<long long>(absl::ToInt64Milliseconds(gap)),
      static_cast<long long>(absl::ToInt64Milliseconds(election)));
  RecordProperty("longest_gap_ms", static_cast<int>(absl::ToInt64Milliseconds(gap)));
  RecordProperty("election_ms", static_cast<int>(absl::ToInt64Milliseconds(election)));
}

}  // namespace
}  // namespace backinstock::testing
