#include "server/store/memory_settings_store.h"

#include <gtest/gtest.h>

#include <thread>

namespace backinstock::store {
namespace {

const char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

SettingsRecord Record(int64_t revision, bool collecting) {
  return SettingsRecord{revision, {{kApp, collecting}}};
}

TEST(MemorySettingsStore, UntouchedSiteIsEmptyAtRevisionZero) {
  MemorySettingsStore store;
  absl::StatusOr<SettingsRecord> record = store.Get("s");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->revision, 0);
  EXPECT_TRUE(record->states.empty());
  EXPECT_EQ(store.SiteCount(), 0u);
}

TEST(MemorySettingsStore, CompareAndSwap) {
  MemorySettingsStore store;
  ASSERT_TRUE(store.CompareAndSwap("s", 0, Record(1, true)).ok());
  EXPECT_EQ(*store.Get("s"), Record(1, true));
  // A stale writer loses.
  EXPECT_TRUE(absl::IsAborted(store.CompareAndSwap("s", 0, Record(1, false))));
  EXPECT_EQ(*store.Get("s"), Record(1, true));
  ASSERT_TRUE(store.CompareAndSwap("s", 1, Record(2, false)).ok());
  EXPECT_EQ(*store.Get("s"), Record(2, false));
  // Sites are independent.
  EXPECT_EQ(store.Get("t")->revision, 0);
  EXPECT_EQ(store.SiteCount(), 1u);
}

TEST(MemorySettingsStore, RevisionMustFollow) {
  MemorySettingsStore store;
  EXPECT_EQ(store.CompareAndSwap("s", 0, Record(5, true)).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MemorySettingsStore, WatchGetsCurrentThenEveryCommitInOrder) {
  MemorySettingsStore store;
  ASSERT_TRUE(store.CompareAndSwap("s", 0, Record(1, true)).ok());
  std::vector<SettingsRecord> seen;
  auto subscription = store.Watch("s", [&](const SettingsRecord& r) { seen.push_back(r); });
  ASSERT_TRUE(store.CompareAndSwap("s", 1, Record(2, false)).ok());
  ASSERT_TRUE(store.CompareAndSwap("other", 0, Record(1, true)).ok());
  ASSERT_TRUE(store.CompareAndSwap("s", 2, Record(3, true)).ok());
  subscription.reset();
  ASSERT_TRUE(store.CompareAndSwap("s", 3, Record(4, false)).ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], Record(1, true));
  EXPECT_EQ(seen[1], Record(2, false));
  EXPECT_EQ(seen[2], Record(3, true));
}

TEST(MemorySettingsStore, ConcurrentWritersNeverLoseACommit) {
  MemorySettingsStore store;
  constexpr int kThreads = 8, kWrites = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWrites;) {
        const int64_t current = store.Get("s")->revision;
        if (store.CompareAndSwap("s", current, Record(current + 1, current % 2 == 0)).ok()) ++i;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store.Get("s")->revision, kThreads * kWrites);
}

TEST(MemorySettingsStore, ManyAppsRoundTrip) {
  MemorySettingsStore store;
  SettingsRecord record{1, {{"a", true}, {"b", false}, {"c", true}}};
  ASSERT_TRUE(store.CompareAndSwap("s", 0, record).ok());
  EXPECT_EQ(*store.Get("s"), record);
}

}  // namespace
}  // namespace backinstock::store
