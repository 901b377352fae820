// The restore entry points durable stores replay through: a record is set as
// it is, nothing is published, and history never goes backwards.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "server/store/catalog_key.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::store {
namespace {

constexpr char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

std::string CatalogKeyOf(const NotificationRequestRecord& record) {
  return CatalogKey(record.request.catalog_reference());
}

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

NotificationRequestRecord Request(const std::string& id, const std::string& email,
                                  v1::BackInStockNotificationRequest::Status status,
                                  int64_t revision) {
  NotificationRequestRecord record;
  record.revision = revision;
  record.request.set_id(id);
  record.request.mutable_catalog_reference()->set_catalog_item_id("item");
  record.request.mutable_catalog_reference()->set_app_id(kApp);
  record.request.set_email(email);
  record.request.set_status(status);
  return record;
}

TEST(MemoryNotificationRequestStoreRestore, RebuildsIndexesWithoutPublishing) {
  using Status = v1::BackInStockNotificationRequest;
  MemoryNotificationRequestStore store;
  int events = 0;
  auto subscription = store.Watch("site", [&](const RequestEvent&) { ++events; });
  ASSERT_TRUE(store.Restore("site", Request("id-1", "a@x.io", Status::RECEIVED, 4)).ok());
  ASSERT_TRUE(store.Restore("site", Request("id-2", "b@x.io", Status::PROCESSING, 1)).ok());
  ASSERT_TRUE(store.Restore("site", Request("id-2", "b@x.io", Status::FAILED, 2)).ok());
  ASSERT_TRUE(store.Restore("site", Request("id-3", "c@x.io", Status::RECEIVED, 1)).ok());
  ASSERT_TRUE(store.RestoreDeletion("site", "id-3").ok());
  EXPECT_EQ(events, 0);
  EXPECT_EQ((*store.List("site"))->size(), 2u);
  EXPECT_EQ((*store.OpenIds("site", CatalogKeyOf(Request("", "", Status::RECEIVED, 1)))),
            std::vector<std::string>{"id-1"});
  // The rules apply to restored records as to created ones.
  EXPECT_EQ(store.Create("site", Request("id-4", "A@x.io", Status::RECEIVED, 1), 100)->outcome,
            CreateResult::Outcome::kDuplicate);
  EXPECT_EQ(store.Create("site", Request("id-5", "b@x.io", Status::RECEIVED, 1), 100)->outcome,
            CreateResult::Outcome::kCreated);
  EXPECT_EQ(store.Create("site", Request("id-6", "z@x.io", Status::RECEIVED, 1), 3)->outcome,
            CreateResult::Outcome::kSiteFull);
}

TEST(MemoryNotificationRequestStoreRestore, RefusesAHistoryThatDoesNotAddUp) {
  using Status = v1::BackInStockNotificationRequest;
  MemoryNotificationRequestStore store;
  ASSERT_TRUE(store.Restore("site", Request("id-1", "a@x.io", Status::RECEIVED, 2)).ok());
  EXPECT_EQ(store.Restore("site", Request("id-1", "a@x.io", Status::FAILED, 2)).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.Restore("site", Request("id-1", "other@x.io", Status::FAILED, 3)).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.Restore("site", Request("id-2", "a@x.io", Status::RECEIVED, 1)).code(),
            absl::StatusCode::kDataLoss)
      << "two open requests for one item and email";
  // A refused reopening leaves the request and its indexes as they were.
  ASSERT_TRUE(store.Restore("site", Request("id-3", "a@x.io", Status::FAILED, 1)).ok());
  EXPECT_EQ(store.Restore("site", Request("id-3", "a@x.io", Status::RECEIVED, 2)).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ((*store.Get("site", "id-3"))->revision, 1);
  const absl::StatusOr<std::vector<ExpiredRequest>> expired =
      store.ExpiredRequests(absl::InfiniteFuture(), absl::InfiniteFuture(), 10);
  ASSERT_TRUE(expired.ok());
  std::vector<std::string> expiring;
  for (const ExpiredRequest& request : *expired) expiring.push_back(request.id);
  std::sort(expiring.begin(), expiring.end());
  EXPECT_EQ(expiring, (std::vector<std::string>{"id-1", "id-3"}));
  EXPECT_EQ(*store.OpenIds("site", CatalogKeyOf(Request("", "", Status::RECEIVED, 1))),
            std::vector<std::string>{"id-1"});
  EXPECT_EQ(store.RestoreDeletion("site", "id-9").code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(store.RestoreDeletion("nowhere", "id-1").code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace backinstock::store
