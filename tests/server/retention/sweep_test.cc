// The retention sweep's logic over the memory store, with a fake clock: what
// a run deletes, what it keeps, how far one run goes, and its events.
#include "server/retention/sweep.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/retention/retention_sweeper.h"
#include "server/store/durable_notification_request_store.h"
#include "server/store/expiry_index.h"
#include "server/store/memory_notification_request_store.h"
#include "tests/server/retention/records.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

using Request = v1::BackInStockNotificationRequest;
using retention::RetentionPolicy;
using retention::SweepOnce;
using retention::SweepResult;

constexpr char kSite[] = "retention-site";
const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

RetentionPolicy Policy(absl::Duration settled, absl::Duration open) {
  RetentionPolicy policy;
  policy.settled = settled;
  policy.open = open;
  return policy;
}

class SweepTest : public ::testing::Test {
 protected:
  // A request created at `created`; moved to `status` at `settled` unless it
  // stays RECEIVED.
  void Put(const std::string& id, absl::Time created, Request::Status status = Request::RECEIVED,
           absl::Time settled = absl::InfinitePast()) {
    store::NotificationRequestRecord record = ReceivedAt(id, created, "item-" + id);
    ASSERT_TRUE(store_.Create(kSite, record, 1000).ok());
    if (status != Request::RECEIVED) {
      const store::NotificationRequestRecord next = MovedTo(record, status, settled);
      ASSERT_TRUE((status == Request::PROCESSING ? store_.Claim(kSite, 1, next)
                                                 : store_.CompareAndSwap(kSite, 1, next))
                      .ok());
    }
  }
  bool Exists(const std::string& id) { return store_.Get(kSite, id).ok(); }
  absl::StatusOr<SweepResult> Sweep(const RetentionPolicy& policy, absl::Time now,
                                    size_t batch = 100) {
    return SweepOnce(store_, policy, now, batch, [] { return true; });
  }

  store::MemoryNotificationRequestStore store_;
};

TEST_F(SweepTest, SettledRequestsGoTheirPeriodAfterTheySettledNotAfterTheyWereCreated) {
  Put("sent-old", kT0, Request::NOTIFICATION_SENT, kT0 + absl::Hours(1));
  Put("failed-old", kT0, Request::FAILED, kT0 + absl::Hours(2));
  Put("sent-late", kT0, Request::NOTIFICATION_SENT, kT0 + absl::Hours(50));
  auto swept = Sweep(Policy(absl::Hours(24), absl::ZeroDuration()), kT0 + absl::Hours(30));
  ASSERT_TRUE(swept.ok()) << swept.status();
  EXPECT_EQ(swept->deleted_settled, 2);
  EXPECT_EQ(swept->deleted_open, 0);
  EXPECT_FALSE(Exists("sent-old"));
  EXPECT_FALSE(Exists("failed-old"));
  EXPECT_TRUE(Exists("sent-late")) << "settled 50h after creation: 24h not over at 30h";
}

TEST_F(SweepTest, OpenRequestsStayUntilTheirOwnPeriodAndProcessingOnesAlways) {
  Put("received", kT0);
  Put("processing", kT0, Request::PROCESSING);
  Put("sent", kT0, Request::NOTIFICATION_SENT, kT0);
  const RetentionPolicy policy = Policy(absl::Hours(1), absl::Hours(10));
  auto first = Sweep(policy, kT0 + absl::Hours(2));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->deleted(), 1);
  EXPECT_FALSE(Exists("sent"));
  EXPECT_TRUE(Exists("received"));
  auto second = Sweep(policy, kT0 + absl::Hours(11));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->deleted_open, 1);
  EXPECT_FALSE(Exists("received"));
  auto much_later = Sweep(policy, kT0 + absl::Hours(24 * 10000));
  ASSERT_TRUE(much_later.ok());
  EXPECT_EQ(much_later->deleted(), 0);
  EXPECT_TRUE(Exists("processing")) << "a request whose email is on its way is never swept";
}

TEST_F(SweepTest, AZeroPeriodKeepsThatKindForever) {
  Put("received", kT0);
  Put("sent", kT0, Request::NOTIFICATION_SENT, kT0);
  const absl::Time far = kT0 + absl::Hours(24 * 10000);
  auto keep_settled = Sweep(Policy(absl::ZeroDuration(), absl::Hours(1)), far);
  ASSERT_TRUE(keep_settled.ok());
  EXPECT_TRUE(Exists("sent"));
  EXPECT_FALSE(Exists("received"));
  auto keep_all = Sweep(Policy(absl::ZeroDuration(), absl::ZeroDuration()), far);
  ASSERT_TRUE(keep_all.ok());
  EXPECT_EQ(keep_all->deleted(), 0);
  EXPECT_TRUE(Exists("sent"));
}

TEST_F(SweepTest, ARunDeletesAtMostItsBatchMostOverdueFirst) {
  for (int i = 0; i < 10; ++i) {
    Put(absl::StrCat("r", i), kT0, Request::FAILED, kT0 + absl::Minutes(i));
  }
  const RetentionPolicy policy = Policy(absl::Hours(1), absl::ZeroDuration());
  const absl::Time now = kT0 + absl::Hours(2);
  auto first = Sweep(policy, now, 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->deleted(), 3);
  EXPECT_TRUE(first->batch_full);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Exists(absl::StrCat("r", i))) << i;
  for (int i = 3; i < 10; ++i) EXPECT_TRUE(Exists(absl::StrCat("r", i))) << i;
  auto rest = Sweep(policy, now, 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->deleted(), 7);
  EXPECT_FALSE(rest->batch_full);
}

TEST_F(SweepTest, EachDeleteIsPublishedAsADeletedEvent) {
  Put("a", kT0, Request::NOTIFICATION_SENT, kT0);
  Put("b", kT0, Request::FAILED, kT0);
  Put("kept", kT0);
  absl::Mutex mu;
  std::vector<std::string> deleted;
  auto subscription = store_.Watch(kSite, [&](const store::RequestEvent& event) {
    absl::MutexLock lock(&mu);
    if (event.type == store::RequestEvent::Type::kDeleted) deleted.push_back(event.id);
  });
  ASSERT_TRUE(Sweep(Policy(absl::Hours(1), absl::ZeroDuration()), kT0 + absl::Hours(2)).ok());
  absl::MutexLock lock(&mu);
  EXPECT_THAT(deleted, ::testing::UnorderedElementsAre("a", "b"));
}

TEST_F(SweepTest, ARunStopsWhenToldBeforeItsNextDelete) {
  for (int i = 0; i < 5; ++i) Put(absl::StrCat("r", i), kT0, Request::FAILED, kT0);
  int allowed = 2;
  auto swept = SweepOnce(store_, Policy(absl::Hours(1), absl::ZeroDuration()), kT0 + absl::Hours(2),
                         100, [&] { return allowed-- > 0; });
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->deleted(), 2);
}

TEST_F(SweepTest, ARequestReopenedOrReSettledSinceTheIndexSawItIsJudgedAsItIsNow) {
  Put("sent", kT0, Request::NOTIFICATION_SENT, kT0);
  // Marked sent again much later: its clock starts over.
  auto current = store_.Get(kSite, "sent");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(store_
                  .CompareAndSwap(kSite, (*current)->revision,
                                  MovedTo(**current, Request::FAILED, kT0 + absl::Hours(5)))
                  .ok());
  auto swept = Sweep(Policy(absl::Hours(1), absl::ZeroDuration()), kT0 + absl::Hours(2));
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(swept->deleted(), 0);
  EXPECT_TRUE(Exists("sent"));
}

// The memory store, whose Delete fails (UNAVAILABLE, as a journal or etcd
// without quorum would) once `allowed` deletes went through.
class FailingDeletes final : public store::NotificationRequestStore {
 public:
  explicit FailingDeletes(store::NotificationRequestStore* inner) : inner_(inner) {}
  std::atomic<int> allowed{0};

  absl::StatusOr<store::CreateResult> Create(absl::string_view site,
                                             const store::NotificationRequestRecord& record,
                                             int64_t max_requests) override {
    return inner_->Create(site, record, max_requests);
  }
  absl::StatusOr<store::RecordPtr> Get(absl::string_view site,
                                       absl::string_view id) const override {
    return inner_->Get(site, id);
  }
  absl::Status Delete(absl::string_view site, absl::string_view id,
                      int64_t expected_revision) override {
    if (allowed.fetch_sub(1) <= 0) return absl::UnavailableError("storage is down");
    return inner_->Delete(site, id, expected_revision);
  }
  absl::StatusOr<store::RecordList> List(absl::string_view site) const override {
    return inner_->List(site);
  }
  absl::StatusOr<std::vector<int64_t>> CountOpen(
      absl::string_view site, const std::vector<std::string>& keys) const override {
    return inner_->CountOpen(site, keys);
  }
  absl::StatusOr<std::vector<std::string>> OpenIds(absl::string_view site,
                                                   absl::string_view key) const override {
    return inner_->OpenIds(site, key);
  }
  absl::Status ResumeDeliveries(ResumeHandler resume) override {
    return inner_->ResumeDeliveries(std::move(resume));
  }
  std::unique_ptr<store::Subscription> Watch(
      absl::string_view site, std::function<void(const store::RequestEvent&)> on_event) override {
    return inner_->Watch(site, std::move(on_event));
  }
  absl::StatusOr<std::vector<store::ExpiredRequest>> ExpiredRequests(absl::Time received_before,
                                                                     absl::Time settled_before,
                                                                     size_t limit) const override {
    return inner_->ExpiredRequests(received_before, settled_before, limit);
  }
  absl::Status PurgeDeleted() override { return inner_->PurgeDeleted(); }

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const store::NotificationRequestRecord& next,
                                store::ClaimChange change) override {
    return inner_->Write(change, site, expected_revision, next);
  }

  store::NotificationRequestStore* inner_;
};

TEST_F(SweepTest, AStoreFailureEndsTheRunWithWhatItDidAndTheNextRunGoesOn) {
  for (int i = 0; i < 5; ++i) Put(absl::StrCat("r", i), kT0, Request::FAILED, kT0);
  FailingDeletes failing(&store_);
  failing.allowed = 2;
  const RetentionPolicy policy = Policy(absl::Hours(1), absl::ZeroDuration());
  auto first = SweepOnce(failing, policy, kT0 + absl::Hours(2), 100, [] { return true; });
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->deleted(), 2);
  EXPECT_EQ(first->error.code(), absl::StatusCode::kUnavailable);
  failing.allowed = 100;
  auto second = SweepOnce(failing, policy, kT0 + absl::Hours(2), 100, [] { return true; });
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->deleted(), 3);
  EXPECT_TRUE(second->error.ok());
}

// A record settled before settle times were kept (2023 here, long before this
// test runs) counts from when this process first indexed a record: its real
// settle time is unknown and may be recent, so it is never deleted early.
TEST(RetentionClockTest, ARecordSettledBeforeSettleTimesWereKeptCountsFromItsLoading) {
  store::NotificationRequestRecord record = ReceivedAt("legacy", kT0);
  record.request.set_status(Request::NOTIFICATION_SENT);  // no settled time
  auto clock = store::RetentionClockOf(record);
  ASSERT_TRUE(clock.has_value());
  EXPECT_EQ(clock->kind, store::RetentionClock::Kind::kSettled);
  const absl::Time loaded = clock->since;
  EXPECT_GT(loaded, kT0 + absl::Hours(24 * 365));
  EXPECT_LE(loaded, absl::Now());
  // The same answer every time (the index removes what it added).
  EXPECT_EQ(store::RetentionClockOf(record)->since, loaded);
  // A queued time later than that counts from there.
  auto delivery = std::make_shared<store::QueuedEmail>();
  delivery->mutable_state()->mutable_queued_time()->set_seconds(
      absl::ToUnixSeconds(loaded + absl::Hours(3)));
  record.delivery = delivery;
  EXPECT_EQ(store::RetentionClockOf(record)->since,
            absl::FromUnixSeconds(absl::ToUnixSeconds(loaded + absl::Hours(3))));
  record.request.set_status(Request::PROCESSING);
  EXPECT_FALSE(store::RetentionClockOf(record).has_value());
}

TEST(ExpiryIndexTest, KeepMostOverdueKeepsTheLimitMostOverdueInOrder) {
  std::vector<store::ExpiredRequest> all = {{"s", "a", absl::Hours(1)},
                                            {"s", "b", absl::Hours(5)},
                                            {"t", "c", absl::Hours(3)},
                                            {"s", "d", absl::Hours(2)}};
  store::KeepMostOverdue(all, 2);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "b");
  EXPECT_EQ(all[1].id, "c");
}

TEST(DurableEncodingTest, TheSettledTimeSurvivesTheJournalEncodingWithAndWithoutAnEmail) {
  store::NotificationRequestRecord record =
      MovedTo(ReceivedAt("x", kT0), Request::FAILED, kT0 + absl::Microseconds(1234567));
  for (bool with_email : {false, true}) {
    if (with_email) {
      auto delivery = std::make_shared<store::QueuedEmail>();
      delivery->mutable_state()->set_attempts(3);
      record.delivery = delivery;
    }
    auto decoded = store::DurableNotificationRequestStore::DecodeValue(
        store::DurableNotificationRequestStore::EncodeValue(record));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->revision, 2);
    EXPECT_EQ(decoded->settled_time, record.settled_time);
    EXPECT_EQ(decoded->request.status(), Request::FAILED);
    EXPECT_EQ(decoded->delivery != nullptr, with_email);
    if (with_email && decoded->delivery != nullptr) {
      EXPECT_EQ(decoded->delivery->state().attempts(), 3);
    }
  }
  // An open record carries none, and reads back with none.
  auto open = store::DurableNotificationRequestStore::DecodeValue(
      store::DurableNotificationRequestStore::EncodeValue(ReceivedAt("y", kT0)));
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->settled_time, absl::InfinitePast());
}

// Leadership a test hands out and takes back.
class TestLeadership final : public retention::SweepLeadership {
 public:
  TestLeadership(std::atomic<bool>* leader, std::atomic<int>* asked)
      : leader_(leader), asked_(asked) {}
  bool Acquire() override {
    const bool held = leader_->load();
    ++*asked_;
    return held;
  }
  bool Held() const override { return leader_->load(); }

 private:
  std::atomic<bool>* leader_;
  std::atomic<int>* asked_;
};

TEST_F(SweepTest, TheSweeperSweepsOnlyWhileItHoldsTheRightToAndDrainsABacklogBatchByBatch) {
  for (int i = 0; i < 7; ++i) Put(absl::StrCat("r", i), kT0, Request::FAILED, kT0);
  std::atomic<bool> leader{false};
  std::atomic<int> runs{0};
  std::atomic<int> asked{0};
  retention::RetentionOptions options;
  options.policy = Policy(absl::Hours(1), absl::ZeroDuration());
  options.interval = absl::Milliseconds(10);
  options.batch = 2;
  options.clock = [] { return kT0 + absl::Hours(2); };
  options.leadership = std::make_unique<TestLeadership>(&leader, &asked);
  options.on_sweep = [&](const SweepResult&) { ++runs; };
  retention::RetentionSweeper sweeper(&store_, std::move(options));
  // Not the sweeping process: several turns pass without a run.
  ASSERT_TRUE(Eventually([&] { return asked.load() >= 3; }));
  EXPECT_EQ(runs.load(), 0);
  EXPECT_EQ(sweeper.deleted(), 0);
  leader = true;
  ASSERT_TRUE(Eventually([&] { return sweeper.deleted() == 7; }));
  for (int i = 0; i < 7; ++i) EXPECT_FALSE(Exists(absl::StrCat("r", i)));
  sweeper.Stop();
}

}  // namespace
}  // namespace backinstock::testing
