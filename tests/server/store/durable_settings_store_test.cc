// What DurableSettingsStore adds to the SettingsStore contract (which
// tests/server/store/store_contract_test.cc runs against every backend): the
// journal, restarts, storage failures.
#include "server/store/durable_settings_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "backinstock/errors/error.h"
#include "server/store/journaled_site_records.h"
#include "server/store/memory_settings_store.h"
#include "tests/support/temp_dir.h"

namespace backinstock::store {
namespace {

using testing::TempDir;

constexpr char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";
constexpr char kOtherApp[] = "1380b703-ce81-ff05-f115-39571d94dfcd";

SettingsRecord Record(int64_t revision, std::vector<AppCollectionState> states) {
  SettingsRecord record;
  record.revision = revision;
  record.states = std::move(states);
  return record;
}

TEST(DurableSettingsStore, OnlyAcceptedWritesAreJournaled) {
  TempDir dir("durable-settings");
  auto store = DurableSettingsStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->CompareAndSwap("site", 0, Record(1, {{kApp, true}})).ok());
  EXPECT_EQ((*store)->CompareAndSwap("site", 0, Record(1, {{kApp, false}})).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ((*store)->CompareAndSwap("site", 1, Record(3, {{kApp, false}})).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*store)->journal().Stats().appends, 1u) << "refused writes are not journaled";
}

TEST(DurableSettingsStore, ARestartRestoresEverySite) {
  TempDir dir("durable-settings");
  {
    auto store = DurableSettingsStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    for (int site = 0; site < 20; ++site) {
      const std::string name = absl::StrCat("site-", site);
      for (int revision = 1; revision <= site % 4 + 1; ++revision) {
        ASSERT_TRUE((*store)
                        ->CompareAndSwap(name, revision - 1,
                                         Record(revision, {{kApp, revision % 2 == 1},
                                                           {kOtherApp, revision > 2}}))
                        .ok());
      }
    }
  }
  auto store = DurableSettingsStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->SiteCount(), 20u);
  for (int site = 0; site < 20; ++site) {
    const int revision = site % 4 + 1;
    EXPECT_EQ(*(*store)->Get(absl::StrCat("site-", site)),
              Record(revision, {{kApp, revision % 2 == 1}, {kOtherApp, revision > 2}}))
        << site;
  }
}

TEST(DurableSettingsStore, ASnapshotRestoresHighRevisions) {
  TempDir dir("durable-settings");
  journal::JournalOptions options;
  options.background_compaction = false;
  {
    auto store = DurableSettingsStore::Open(dir.path(), options);
    ASSERT_TRUE(store.ok());
    for (int revision = 1; revision <= 500; ++revision) {
      ASSERT_TRUE(
          (*store)
              ->CompareAndSwap("busy", revision - 1, Record(revision, {{kApp, revision % 2 == 0}}))
              .ok());
    }
    ASSERT_TRUE((*store)->journal().Rotate().ok());
    ASSERT_TRUE((*store)->journal().Compact().ok());
  }
  auto store = DurableSettingsStore::Open(dir.path(), options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->journal().recovery().snapshot_entries, 1u);
  EXPECT_EQ(*(*store)->Get("busy"), Record(500, {{kApp, true}}));
  // And it goes on from there.
  EXPECT_TRUE((*store)->CompareAndSwap("busy", 500, Record(501, {{kApp, false}})).ok());
}

TEST(DurableSettingsStore, AWriteThatCannotBeStoredHasNoEffect) {
  TempDir dir("durable-settings");
  auto fail = std::make_shared<std::atomic<bool>>(false);
  journal::JournalOptions options;
  options.sync_data = [fail](const journal::File& file, const std::string& path) {
    if (*fail) return absl::InternalError("disk on fire");
    return journal::SyncData(file, path);
  };
  auto store = DurableSettingsStore::Open(dir.path(), options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->CompareAndSwap("site", 0, Record(1, {{kApp, true}})).ok());
  *fail = true;
  const absl::Status failed = (*store)->CompareAndSwap("site", 1, Record(2, {{kApp, false}}));
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::ReasonOf(failed), "STORAGE_UNAVAILABLE");
  EXPECT_EQ(*(*store)->Get("site"), Record(1, {{kApp, true}}));
}

// A write on its way to disk holds no lock: another site's write (here on
// the same, single, lock stripe) lands while it waits for its sync, and a
// write of the same site waits for it, then finds the revision moved on.
TEST(JournaledSiteRecords, AWriteWaitingForItsSyncHoldsUpOnlyItsOwnSite) {
  TempDir dir("durable-settings");
  auto armed = std::make_shared<std::atomic<bool>>(false);
  auto in_sync = std::make_shared<absl::Notification>();
  auto release = std::make_shared<absl::Notification>();
  journal::JournalOptions options;
  options.sync_data = [armed, in_sync, release](const journal::File& file,
                                                const std::string& path) {
    if (armed->exchange(false)) {  // only the first sync after arming is held
      in_sync->Notify();
      release->WaitForNotification();
    }
    return journal::SyncData(file, path);
  };
  JournaledSiteRecords<SettingsRecord, MemorySettingsStore> records(
      "settings", &DurableSettingsStore::EncodeValue, &DurableSettingsStore::DecodeValue,
      /*site_locks=*/1);
  ASSERT_TRUE(records.Open(dir.path(), options).ok());
  *armed = true;

  absl::Status first, same_site;
  absl::Notification same_site_done, other_site_done;
  std::thread first_writer([&] {
    first = records.CompareAndSwap("site-a", 0, Record(1, {{kApp, true}}));
  });
  in_sync->WaitForNotification();
  std::thread same_site_writer([&] {
    same_site = records.CompareAndSwap("site-a", 0, Record(1, {{kApp, false}}));
    same_site_done.Notify();
  });
  std::thread other_site_writer([&] {
    EXPECT_TRUE(records.CompareAndSwap("site-b", 0, Record(1, {{kOtherApp, true}})).ok());
    other_site_done.Notify();
  });
  EXPECT_TRUE(other_site_done.WaitForNotificationWithTimeout(absl::Seconds(30)))
      << "another site's write waited for site-a's sync";
  EXPECT_FALSE(same_site_done.HasBeenNotified()) << "site-a's second write did not wait";
  EXPECT_EQ(records.memory().Get("site-a")->revision, 0) << "applied before it was durable";

  release->Notify();
  first_writer.join();
  same_site_writer.join();
  other_site_writer.join();
  EXPECT_TRUE(first.ok()) << first;
  EXPECT_EQ(same_site.code(), absl::StatusCode::kAborted) << same_site;
  EXPECT_EQ(*records.memory().Get("site-a"), Record(1, {{kApp, true}}));
  EXPECT_EQ(records.journal().Stats().appends, 2u);
}

TEST(DurableSettingsStore, ConcurrentWritersOnManySitesAllLand) {
  TempDir dir("durable-settings");
  constexpr int kThreads = 8, kSitesPerThread = 10, kWrites = 40;
  {
    auto store = DurableSettingsStore::Open(dir.path());
    ASSERT_TRUE(store.ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kWrites; ++i) {
          const std::string site = absl::StrCat("t", t, "-s", i % kSitesPerThread);
          const int64_t revision = i / kSitesPerThread;
          EXPECT_TRUE(
              (*store)
                  ->CompareAndSwap(site, revision, Record(revision + 1, {{kApp, i % 2 == 0}}))
                  .ok());
        }
      });
    }
    for (auto& thread : threads) thread.join();
    const auto stats = (*store)->journal().Stats();
    EXPECT_EQ(stats.appends, uint64_t{kThreads * kWrites});
  }
  auto store = DurableSettingsStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  for (int t = 0; t < kThreads; ++t) {
    for (int s = 0; s < kSitesPerThread; ++s) {
      const int last = kWrites - kSitesPerThread + s;
      EXPECT_EQ(*(*store)->Get(absl::StrCat("t", t, "-s", s)),
                Record(kWrites / kSitesPerThread, {{kApp, last % 2 == 0}}));
    }
  }
}

}  // namespace
}  // namespace backinstock::store
