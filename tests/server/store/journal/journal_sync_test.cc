// The journal's group commit: writers sharing syncs, several syncs in flight,
// and what a failing sync does to the writes around it. Each test works in a
// directory of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/store/journal/files.h"
#include "server/store/journal/journal.h"
#include "tests/server/store/journal/journal_test_util.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace backinstock::store::journal {
namespace {

using testing::Eventually;
using testing::TempDir;

// With `syncs` sync slots: one writer per slot holds its sync, eight more
// writers arrive meanwhile, and all eight share the next sync.
void ExpectQueuedWritersShareOneSync(int syncs) {
  TempDir dir("journal");
  auto sync = std::make_shared<HeldSync>();
  State state;
  auto journal = OpenInto(dir.path(), &state, ThroughSync(sync, syncs));
  ASSERT_TRUE(journal.ok());
  const int after_open = sync->entered();

  // One writer after the other, each gets a slot of its own, whose sync is
  // held: the next sync starts while the ones before are still running.
  sync->Hold();
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < syncs; ++i) {
    writers.emplace_back([&, i] {
      if ((*journal)->Put(absl::StrCat("syncing", i), "x").ok()) ++acknowledged;
    });
    sync->AwaitEntered(after_open + i + 1);
  }
  // Every slot is busy: eight more writers gather into one batch.
  for (int i = 0; i < 8; ++i) {
    writers.emplace_back([&, i] {
      if ((*journal)->Put(absl::StrCat("w", i), "x").ok()) ++acknowledged;
    });
  }
  ASSERT_TRUE(Eventually([&] { return (*journal)->Stats().queued == 8; }, absl::Seconds(60),
                         absl::Milliseconds(1)));
  EXPECT_EQ(acknowledged.load(), 0) << "nothing is acknowledged before its sync";
  sync->Release();
  for (auto& writer : writers) writer.join();

  EXPECT_EQ(acknowledged.load(), syncs + 8);
  const JournalStats stats = (*journal)->Stats();
  EXPECT_EQ(stats.appends, static_cast<uint64_t>(syncs + 8));
  EXPECT_EQ(stats.syncs, static_cast<uint64_t>(syncs + 1))
      << "the eight queued writers shared one sync";
}

TEST(Journal, ConcurrentWritersShareOneSync) { ExpectQueuedWritersShareOneSync(1); }

TEST(Journal, WhileEveryCommitterSyncsTheNextWritersShareOneSync) {
  ExpectQueuedWritersShareOneSync(2);
}

// Holds the syncs that start while it is armed; later ones run at once.
class HoldWhileArmed {
 public:
  absl::Status operator()(const File& file, const std::string& path) {
    absl::MutexLock lock(&mu_);
    if (armed_) {
      ++held_;
      auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return released_; };
      mu_.Await(absl::Condition(&released));
    }
    return SyncData(file, path);
  }
  void Arm() {
    absl::MutexLock lock(&mu_);
    armed_ = true;
  }
  void AwaitHeld(int count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return held_ >= count; };
    mu_.Await(absl::Condition(&reached));
  }
  void Disarm() {
    absl::MutexLock lock(&mu_);
    armed_ = false;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }

 private:
  absl::Mutex mu_;
  bool armed_ ABSL_GUARDED_BY(mu_) = false;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  int held_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(Journal, ALaterBatchIsAcknowledgedWithoutWaitingForAnEarlierSync) {
  TempDir dir("journal");
  auto sync = std::make_shared<HoldWhileArmed>();
  JournalOptions options = ThroughSync(sync, 2);
  State state;
  {
    auto journal = OpenInto(dir.path(), &state, options);
    ASSERT_TRUE(journal.ok());
    sync->Arm();
    std::atomic<bool> first_acknowledged{false};
    std::thread first([&] {
      EXPECT_TRUE((*journal)->Put("key", "first").ok());
      first_acknowledged = true;
    });
    sync->AwaitHeld(1);
    sync->Disarm();
    // Written after the first record, synced by the other committer: its
    // sync covers both records, and it returns while the first one's is held.
    EXPECT_TRUE((*journal)->Put("key", "second").ok());
    EXPECT_FALSE(first_acknowledged.load()) << "the first write waits for its own sync";
    sync->Release();
    first.join();
    EXPECT_TRUE(first_acknowledged.load());
  }
  auto journal = OpenInto(dir.path(), &state, options);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"key", "second"}})) << "replayed in the order written";
}

TEST(Journal, AFailedSyncFailsTheWriteAndEveryLaterOne) {
  TempDir dir("journal");
  auto fail = std::make_shared<std::atomic<bool>>(false);
  JournalOptions options = NoBackgroundCompaction();
  options.sync_data = [fail](const File& file, const std::string& path) {
    if (*fail) return absl::InternalError("cannot fdatasync " + path + ": Input/output error");
    return SyncData(file, path);
  };
  State state;
  {
    auto journal = OpenInto(dir.path(), &state, options);
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("kept", "1").ok());
    *fail = true;
    const absl::Status failed = (*journal)->Put("lost", "2");
    EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(absl::StrContains(failed.message(), "Input/output error")) << failed;
    *fail = false;  // even a disk that recovers is not trusted again
    EXPECT_EQ((*journal)->Put("later", "3").code(), absl::StatusCode::kUnavailable);
  }
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state.count("kept"), 1u);
  EXPECT_EQ(state.count("later"), 0u);
}

TEST(Journal, ASyncFailingAmongConcurrentWritersLosesNoAcknowledgedWrite) {
  TempDir dir("journal");
  // The 40th sync after opening fails; every later one would succeed.
  auto syncs = std::make_shared<std::atomic<int>>(0);
  auto reported = std::make_shared<std::atomic<int>>(0);
  auto told_before_reported = std::make_shared<std::atomic<bool>>(false);
  JournalOptions options = NoBackgroundCompaction(4096);  // rotations too
  options.sync_data = [syncs](const File& file, const std::string& path) {
    if (++*syncs == 40)
      return absl::InternalError("cannot fdatasync " + path + ": Input/output error");
    return SyncData(file, path);
  };
  options.on_failure = [reported](const absl::Status&) { ++*reported; };
  State state;
  std::vector<std::string> acknowledged;
  absl::Mutex mu;
  {
    auto journal = OpenInto(dir.path(), &state, options);
    ASSERT_TRUE(journal.ok());
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 60; ++i) {
          const std::string key = absl::StrCat("t", t, "-", i);
          const absl::Status put = (*journal)->Put(key, std::string(50, 'x'));
          if (put.ok()) {
            absl::MutexLock lock(&mu);
            acknowledged.push_back(key);
            continue;
          }
          EXPECT_EQ(put.code(), absl::StatusCode::kUnavailable) << put;
          if (reported->load() != 1) *told_before_reported = true;
        }
      });
    }
    for (auto& writer : writers) writer.join();
  }
  EXPECT_EQ(reported->load(), 1) << "reported once";
  EXPECT_FALSE(told_before_reported->load()) << "no writer is told before on_failure ran";
  EXPECT_LT(acknowledged.size(), 480u) << "the failure refused the writes after it";
  options.sync_data = nullptr;
  auto journal = OpenInto(dir.path(), &state, options);
  ASSERT_TRUE(journal.ok()) << journal.status();
  for (const std::string& key : acknowledged) EXPECT_EQ(state.count(key), 1u) << key;
}

}  // namespace
}  // namespace backinstock::store::journal
