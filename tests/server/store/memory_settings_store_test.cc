// What the memory settings store adds to the SettingsStore contract (which
// tests/server/store/store_contract_test.cc runs against every backend).
#include "server/store/memory_settings_store.h"

#include <gtest/gtest.h>

namespace backinstock::store {
namespace {

const char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

SettingsRecord Record(int64_t revision, bool collecting) {
  return SettingsRecord{revision, {{kApp, collecting}}};
}

TEST(MemorySettingsStore, SiteCountCountsWrittenSitesOnly) {
  MemorySettingsStore store;
  EXPECT_EQ(store.SiteCount(), 0u);
  EXPECT_EQ(store.Get("s")->revision, 0);
  EXPECT_EQ(store.SiteCount(), 0u) << "a read stores nothing";
  ASSERT_TRUE(store.CompareAndSwap("s", 0, Record(1, true)).ok());
  EXPECT_TRUE(absl::IsAborted(store.CompareAndSwap("t", 1, Record(2, true))));
  EXPECT_EQ(store.CompareAndSwap("u", 0, Record(5, true)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.SiteCount(), 1u) << "refused writes store nothing";
  ASSERT_TRUE(store.CompareAndSwap("s", 1, Record(2, false)).ok());
  EXPECT_EQ(store.SiteCount(), 1u);
}

}  // namespace
}  // namespace backinstock::store
