// The domain's read-decide-write loops over the memory store: UpdateRecord
// writes with the store write its change names, DeleteRecord deletes at the
// revision it read; both read again when another write got there first.
#include "server/domain/notification_requests/record_update.h"

#include <gtest/gtest.h>

#include "backinstock/errors/error.h"
#include "server/store/memory_notification_request_store.h"

namespace backinstock::domain {
namespace {

using Request = v1::BackInStockNotificationRequest;
using store::ClaimChange;
using store::NotificationRequestRecord;

constexpr char kSite[] = "site";

class RecordUpdateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NotificationRequestRecord record;
    record.revision = 1;
    record.request.set_id("r1");
    record.request.set_email("ann@example.com");
    record.request.mutable_catalog_reference()->set_catalog_item_id("shirt");
    record.request.mutable_catalog_reference()->set_app_id("app");
    record.request.set_status(Request::RECEIVED);
    ASSERT_TRUE(store_.Create(kSite, record, 10).ok());
  }

  // Another writer's change, made between a loop's read and its write.
  void ChangeBehindTheLoop() {
    NotificationRequestRecord next = **store_.Get(kSite, "r1");
    ++next.revision;
    next.request.set_item_url("https://shop.example/shirt");
    ASSERT_TRUE(store_.CompareAndSwap(kSite, next.revision - 1, next).ok());
  }

  store::MemoryNotificationRequestStore store_;
};

TEST_F(RecordUpdateTest, AClaimLostToAnotherWriteIsDecidedAgainOnTheNewRevision) {
  int asked = 0;
  absl::StatusOr<RecordUpdate> update =
      UpdateRecord(store_, kSite, "r1", [&](const NotificationRequestRecord& current) {
        if (++asked == 1) ChangeBehindTheLoop();
        NextRecord next{current, ClaimChange::kClaim};
        next.record.request.set_status(Request::PROCESSING);
        return std::optional<NextRecord>(next);
      });
  ASSERT_TRUE(update.ok()) << update.status();
  EXPECT_TRUE(update->changed);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(update->record->revision, 3);
  EXPECT_EQ(update->record->request.item_url(), "https://shop.example/shirt");
  EXPECT_EQ((*store_.Get(kSite, "r1"))->request.status(), Request::PROCESSING);
}

TEST_F(RecordUpdateTest, AChangeThatDoesNotMatchItsNameIsRefusedOnceAndNotRetried) {
  int asked = 0;
  absl::StatusOr<RecordUpdate> update =
      UpdateRecord(store_, kSite, "r1", [&](const NotificationRequestRecord& current) {
        ++asked;
        // Entering PROCESSING named as neither claim nor release.
        NextRecord next{current, ClaimChange::kNone};
        next.record.request.set_status(Request::PROCESSING);
        return std::optional<NextRecord>(next);
      });
  EXPECT_EQ(update.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::ReasonOf(update.status()), "MISNAMED_STORE_WRITE");
  EXPECT_EQ(asked, 1);
  EXPECT_EQ((*store_.Get(kSite, "r1"))->revision, 1);
}

TEST_F(RecordUpdateTest, ADeleteLostToAnotherWriteDeletesTheNewRevision) {
  int asked = 0;
  absl::StatusOr<RecordDeletion> deletion =
      DeleteRecord(store_, kSite, "r1", [&](const NotificationRequestRecord&) {
        if (++asked == 1) ChangeBehindTheLoop();
        return true;
      });
  ASSERT_TRUE(deletion.ok()) << deletion.status();
  EXPECT_TRUE(deletion->deleted);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(deletion->record->revision, 2);
  EXPECT_TRUE(absl::IsNotFound(store_.Get(kSite, "r1").status()));
}

TEST_F(RecordUpdateTest, ADeleteNotWantedLeavesTheRecordAndAGoneOneIsNotFound) {
  absl::StatusOr<RecordDeletion> kept =
      DeleteRecord(store_, kSite, "r1", [](const NotificationRequestRecord&) { return false; });
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_FALSE(kept->deleted);
  EXPECT_EQ(kept->record->revision, 1);
  EXPECT_TRUE(store_.Get(kSite, "r1").ok());
  ASSERT_TRUE(store_.Delete(kSite, "r1", 1).ok());
  EXPECT_TRUE(
      absl::IsNotFound(DeleteRecord(store_, kSite, "r1", [](const NotificationRequestRecord&) {
                         return true;
                       }).status()));
}

TEST_F(RecordUpdateTest, ARecordThatKeepsChangingEndsInConcurrentModification) {
  absl::StatusOr<RecordDeletion> deletion =
      DeleteRecord(store_, kSite, "r1", [&](const NotificationRequestRecord&) {
        ChangeBehindTheLoop();
        return true;
      });
  EXPECT_EQ(deletion.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(errors::ReasonOf(deletion.status()), "CONCURRENT_MODIFICATION");
  EXPECT_EQ((*store_.Get(kSite, "r1"))->revision, 1 + kMaxWriteAttempts);
}

}  // namespace
}  // namespace backinstock::domain
