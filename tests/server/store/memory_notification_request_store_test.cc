// The memory store: records, compare-and-swap, the duplicate rule and the cap
// as one atomic step, open counts, and the change feed.
#include "server/store/memory_notification_request_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "server/store/catalog_key.h"
#include "tests/support/query_test_util.h"

namespace backinstock::store {
namespace {

using Request = v1::BackInStockNotificationRequest;
constexpr char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

NotificationRequestRecord NewRecord(const std::string& id, const std::string& item,
                                    const std::string& email, const std::string& options = "") {
  NotificationRequestRecord record;
  record.revision = 1;
  record.request.set_id(id);
  record.request.set_email(email);
  record.request.set_status(Request::RECEIVED);
  auto* reference = record.request.mutable_catalog_reference();
  reference->set_catalog_item_id(item);
  reference->set_app_id(kApp);
  if (!options.empty()) *reference->mutable_options() = testing::JsonStruct(options);
  return record;
}

std::string KeyOf(const std::string& item, const std::string& options = "") {
  return CatalogKey(NewRecord("x", item, "x@y.z", options).request.catalog_reference());
}

NotificationRequestRecord WithStatus(RecordPtr current, Request::Status status) {
  NotificationRequestRecord next = *current;
  next.revision = current->revision + 1;
  next.request.set_status(status);
  return next;
}

TEST(CatalogKey, OptionsAreCanonicalAndPartOfTheIdentity) {
  EXPECT_EQ(KeyOf("i", R"({"a": 1, "b": {"c": "x", "d": [1, 2]}})"),
            KeyOf("i", R"({"b": {"d": [1, 2], "c": "x"}, "a": 1})"));
  EXPECT_NE(KeyOf("i", R"({"a": 1})"), KeyOf("i", R"({"a": 2})"));
  EXPECT_NE(KeyOf("i", R"({"a": 1})"), KeyOf("i"));
  EXPECT_EQ(KeyOf("i", "{}"), KeyOf("i"));
  EXPECT_NE(KeyOf("i"), KeyOf("j"));
  EXPECT_EQ(KeyOf("i").size(), 64u);
}

TEST(MemoryStore, CreateGetCompareAndSwapDelete) {
  MemoryNotificationRequestStore store;
  ASSERT_EQ(store.Create("s", NewRecord("r1", "i", "a@b.co"), 10)->outcome,
            CreateResult::Outcome::kCreated);
  absl::StatusOr<RecordPtr> stored = store.Get("s", "r1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ((*stored)->revision, 1);
  EXPECT_TRUE(absl::IsNotFound(store.Get("other-site", "r1").status()));

  EXPECT_TRUE(store.Claim("s", 1, WithStatus(*stored, Request::PROCESSING)).ok());
  // A stale revision loses.
  EXPECT_TRUE(absl::IsAborted(store.Release("s", 1, WithStatus(*stored, Request::FAILED))));
  EXPECT_TRUE(absl::IsAborted(store.Claim("s", 1, WithStatus(*stored, Request::PROCESSING))));
  EXPECT_TRUE(absl::IsAborted(store.Delete("s", "r1", 1)));
  EXPECT_TRUE(store.Delete("s", "r1", 2).ok());
  EXPECT_TRUE(absl::IsNotFound(store.Get("s", "r1").status()));
  EXPECT_TRUE(absl::IsNotFound(store.Delete("s", "r1", 2)));
}

TEST(MemoryStore, OneOpenRequestPerReferenceAndEmail) {
  MemoryNotificationRequestStore store;
  ASSERT_EQ(store.Create("s", NewRecord("r1", "i", "a@b.co", R"({"size": "M"})"), 10)->outcome,
            CreateResult::Outcome::kCreated);
  absl::StatusOr<CreateResult> duplicate =
      store.Create("s", NewRecord("r2", "i", "A@B.CO", R"({"size": "M"})"), 10);
  EXPECT_EQ(duplicate->outcome, CreateResult::Outcome::kDuplicate);
  EXPECT_EQ(duplicate->existing_id, "r1");
  // Other options, other item, other email, other site: no conflict.
  EXPECT_EQ(store.Create("s", NewRecord("r3", "i", "a@b.co", R"({"size": "L"})"), 10)->outcome,
            CreateResult::Outcome::kCreated);
  EXPECT_EQ(store.Create("s", NewRecord("r4", "j", "a@b.co", R"({"size": "M"})"), 10)->outcome,
            CreateResult::Outcome::kCreated);
  EXPECT_EQ(store.Create("t", NewRecord("r5", "i", "a@b.co", R"({"size": "M"})"), 10)->outcome,
            CreateResult::Outcome::kCreated);
  // Once r1 is settled, the same customer may ask again.
  ASSERT_TRUE(
      store.CompareAndSwap("s", 1, WithStatus(*store.Get("s", "r1"), Request::NOTIFICATION_SENT))
          .ok());
  EXPECT_EQ(store.Create("s", NewRecord("r6", "i", "a@b.co", R"({"size": "M"})"), 10)->outcome,
            CreateResult::Outcome::kCreated);
  // And r1 cannot be reopened while r6 is open.
  EXPECT_TRUE(absl::IsAlreadyExists(
      store.CompareAndSwap("s", 2, WithStatus(*store.Get("s", "r1"), Request::RECEIVED))));
}

TEST(MemoryStore, DuplicateRuleHoldsUnderConcurrentCreates) {
  MemoryNotificationRequestStore store;
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto result =
            store.Create("s", NewRecord(absl::StrCat("r", t, "-", i), "i", "a@b.co"), 1000);
        if (result->outcome == CreateResult::Outcome::kCreated) ++created;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ((*store.CountOpen("s", {KeyOf("i")}))[0], 1);
}

TEST(MemoryStore, PerSiteCap) {
  MemoryNotificationRequestStore store;
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(store.Create("s", NewRecord(absl::StrCat("r", i), absl::StrCat("i", i), "a@b.co"), 3)
                  ->outcome,
              CreateResult::Outcome::kCreated);
  }
  EXPECT_EQ(store.Create("s", NewRecord("r9", "i9", "a@b.co"), 3)->outcome,
            CreateResult::Outcome::kSiteFull);
  // Settled requests still count; deleting one makes room.
  ASSERT_TRUE(store.Delete("s", "r0", 1).ok());
  EXPECT_EQ(store.Create("s", NewRecord("r9", "i9", "a@b.co"), 3)->outcome,
            CreateResult::Outcome::kCreated);
  EXPECT_EQ(store.Create("t", NewRecord("r9", "i9", "a@b.co"), 3)->outcome,
            CreateResult::Outcome::kCreated);
}

TEST(MemoryStore, CountsAndOpenIdsFollowStatus) {
  MemoryNotificationRequestStore store;
  store.Create("s", NewRecord("r1", "i", "a@b.co"), 10).IgnoreError();
  store.Create("s", NewRecord("r2", "i", "c@d.co"), 10).IgnoreError();
  store.Create("s", NewRecord("r3", "j", "a@b.co"), 10).IgnoreError();
  EXPECT_EQ(*store.CountOpen("s", {KeyOf("i"), KeyOf("j"), KeyOf("k")}),
            (std::vector<int64_t>{2, 1, 0}));
  ASSERT_TRUE(store.Claim("s", 1, WithStatus(*store.Get("s", "r1"), Request::PROCESSING)).ok());
  EXPECT_EQ((*store.CountOpen("s", {KeyOf("i")}))[0], 2);
  ASSERT_TRUE(store.Release("s", 2, WithStatus(*store.Get("s", "r1"), Request::FAILED)).ok());
  EXPECT_EQ((*store.CountOpen("s", {KeyOf("i")}))[0], 1);
  EXPECT_EQ(*store.OpenIds("s", KeyOf("i")), std::vector<std::string>{"r2"});
  ASSERT_TRUE(store.Delete("s", "r2", 1).ok());
  EXPECT_EQ((*store.CountOpen("s", {KeyOf("i")}))[0], 0);
  EXPECT_TRUE(store.OpenIds("s", KeyOf("i"))->empty());
}

TEST(MemoryStore, WatchersSeeTheirSiteChangesInCommitOrder) {
  MemoryNotificationRequestStore store;
  std::vector<std::pair<RequestEvent::Type, std::string>> events;
  auto subscription = store.Watch("s", [&](const RequestEvent& event) {
    events.emplace_back(event.type, event.id);
    EXPECT_NE(event.record, nullptr);
  });
  store.Create("s", NewRecord("r1", "i", "a@b.co"), 10).IgnoreError();
  store.Create("t", NewRecord("r2", "i", "a@b.co"), 10).IgnoreError();
  store.CompareAndSwap("s", 1, WithStatus(*store.Get("s", "r1"), Request::FAILED)).IgnoreError();
  store.Delete("s", "r1", 2).IgnoreError();
  store.Delete("s", "r1", 3).IgnoreError();  // not found: no event
  using T = RequestEvent::Type;
  EXPECT_EQ(events, (std::vector<std::pair<T, std::string>>{
                        {T::kCreated, "r1"}, {T::kUpdated, "r1"}, {T::kDeleted, "r1"}}));
  subscription.reset();
  store.Create("s", NewRecord("r3", "i", "a@b.co"), 10).IgnoreError();
  EXPECT_EQ(events.size(), 3u);
}

}  // namespace
}  // namespace backinstock::store
