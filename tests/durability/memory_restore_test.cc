// The restore entry points durable stores replay through: a record is set as
// it is, nothing is published, and history never goes backwards.
#include <gtest/gtest.h>

#include <vector>

#include "server/store/memory_settings_store.h"

namespace backinstock::store {
namespace {

constexpr char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

SettingsRecord Record(int64_t revision, bool collecting) {
  SettingsRecord record;
  record.revision = revision;
  record.states.push_back({kApp, collecting});
  return record;
}

TEST(MemorySettingsStoreRestore, SetsARecordAtAnyRevisionWithoutPublishing) {
  MemorySettingsStore store;
  std::vector<SettingsRecord> seen;
  auto subscription = store.Watch("site", [&](const SettingsRecord& r) { seen.push_back(r); });
  ASSERT_EQ(seen.size(), 1u);  // the current (empty) record

  ASSERT_TRUE(store.Restore("site", Record(7, true)).ok());
  EXPECT_EQ(*store.Get("site"), Record(7, true));
  EXPECT_EQ(seen.size(), 1u) << "a restore is not a change anyone should be told about";
  EXPECT_EQ(store.SiteCount(), 1u);

  // Writes go on from the restored revision.
  EXPECT_EQ(store.CompareAndSwap("site", 0, Record(1, false)).code(), absl::StatusCode::kAborted);
  ASSERT_TRUE(store.CompareAndSwap("site", 7, Record(8, false)).ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.back(), Record(8, false));
}

TEST(MemorySettingsStoreRestore, ALaterRecordReplacesAnEarlierOne) {
  MemorySettingsStore store;
  ASSERT_TRUE(store.Restore("site", Record(3, true)).ok());
  ASSERT_TRUE(store.Restore("site", Record(4, false)).ok());
  EXPECT_EQ(*store.Get("site"), Record(4, false));
}

TEST(MemorySettingsStoreRestore, RefusesToGoBackwards) {
  MemorySettingsStore store;
  ASSERT_TRUE(store.Restore("site", Record(5, true)).ok());
  EXPECT_EQ(store.Restore("site", Record(5, false)).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.Restore("site", Record(2, false)).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(*store.Get("site"), Record(5, true));

  EXPECT_EQ(store.Restore("other", Record(0, true)).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.SiteCount(), 1u) << "a refused restore leaves no empty record";
}

}  // namespace
}  // namespace backinstock::store
