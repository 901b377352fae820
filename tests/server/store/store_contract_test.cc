// The settings store, email template store and notification request store
// contracts (the request store's named writes and retention index), each
// stated once and run against every backend (memory, durable, etcd). What only some
// backends add (restarts, journal contents, replicas sharing etcd) is tested
// beside each backend.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "server/store/email_template_store.h"
#include "server/store/notification_request_store.h"
#include "server/store/settings_store.h"
#include "tests/server/retention/records.h"
#include "tests/server/store/store_backends.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

using store::EmailTemplateRecord;
using store::SettingsRecord;

using Backends = ::testing::Types<MemoryBackend, DurableBackend, EtcdBackendHolder>;

// `threads` writers make `writes` writes each to one site through
// `write(revision, subject)`, re-reading (`read`) and retrying the
// compare-and-swaps they lose: every write must land exactly once, whatever
// the interleaving.
template <typename Read, typename Write>
void RaceWriters(int threads, int writes, Read read, Write write) {
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < writes; ++i) {
        for (;;) {
          absl::StatusOr<int64_t> current = read();
          if (!current.ok()) {
            ++failures;
            return;
          }
          absl::Status written = write(*current, absl::StrCat("writer ", t, " write ", i));
          if (written.ok()) break;
          if (!absl::IsAborted(written)) {
            ++failures;
            return;
          }
        }
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  absl::StatusOr<int64_t> last = read();
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(*last, threads * writes) << "every write applied exactly once";
}

// --- SettingsStore ---------------------------------------------------------

constexpr char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";
constexpr char kOtherApp[] = "1380b703-ce81-ff05-f115-39571d94dfcd";

SettingsRecord Settings(int64_t revision, bool collecting) {
  return SettingsRecord{revision, {{kApp, collecting}}};
}

template <typename Backend>
class SettingsStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.OpenSettings();
    ASSERT_NE(store_, nullptr);
  }
  // The store goes before its backend (etcd's must outlive its stores).
  void TearDown() override { store_.reset(); }

  Backend backend_;
  std::unique_ptr<store::SettingsStore> store_;
};
TYPED_TEST_SUITE(SettingsStoreContract, Backends);

TYPED_TEST(SettingsStoreContract, ANeverWrittenSiteIsEmptyAtRevisionZero) {
  absl::StatusOr<SettingsRecord> record = this->store_->Get(UniqueSite());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(*record, SettingsRecord{});
}

TYPED_TEST(SettingsStoreContract, CompareAndSwapAppliesOnlyOnTheExpectedRevision) {
  const std::string site = UniqueSite();
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 0, Settings(1, true)).ok());
  EXPECT_EQ(*this->store_->Get(site), Settings(1, true));
  EXPECT_EQ(this->store_->CompareAndSwap(site, 0, Settings(1, false)).code(),
            absl::StatusCode::kAborted)
      << "a stale writer loses";
  EXPECT_EQ(this->store_->CompareAndSwap(site, 1, Settings(3, false)).code(),
            absl::StatusCode::kInvalidArgument)
      << "the next revision must follow the expected one";
  EXPECT_EQ(this->store_->CompareAndSwap(site, 0, Settings(5, false)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*this->store_->Get(site), Settings(1, true));
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 1, Settings(2, false)).ok());
  EXPECT_EQ(*this->store_->Get(site), Settings(2, false));
  EXPECT_EQ(this->store_->CompareAndSwap(site, 1, Settings(2, true)).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(*this->store_->Get(site), Settings(2, false));
}

TYPED_TEST(SettingsStoreContract, SitesAreIndependent) {
  ASSERT_TRUE(this->store_->CompareAndSwap(UniqueSite("-a"), 0, Settings(1, true)).ok());
  EXPECT_EQ(*this->store_->Get(UniqueSite("-b")), SettingsRecord{});
  ASSERT_TRUE(this->store_->CompareAndSwap(UniqueSite("-b"), 0, Settings(1, false)).ok());
  EXPECT_EQ(*this->store_->Get(UniqueSite("-a")), Settings(1, true));
  EXPECT_EQ(*this->store_->Get(UniqueSite("-b")), Settings(1, false));
}

TYPED_TEST(SettingsStoreContract, ManyAppsRoundTrip) {
  const std::string site = UniqueSite();
  const SettingsRecord record{1, {{kApp, true}, {kOtherApp, false}, {"c", true}}};
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 0, record).ok());
  EXPECT_EQ(*this->store_->Get(site), record);
}

TYPED_TEST(SettingsStoreContract, WatchGetsTheCurrentRecordThenEveryCommitInOrder) {
  const std::string site = UniqueSite();
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 0, Settings(1, true)).ok());
  absl::Mutex mu;
  std::vector<SettingsRecord> seen;
  auto subscription = this->store_->Watch(site, [&](const SettingsRecord& record) {
    absl::MutexLock lock(&mu);
    seen.push_back(record);
  });
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 1, Settings(2, false)).ok());
  ASSERT_TRUE(this->store_->CompareAndSwap(UniqueSite("-other"), 0, Settings(1, true)).ok());
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 2, Settings(3, true)).ok());
  const std::vector<SettingsRecord> expected = {Settings(1, true), Settings(2, false),
                                                Settings(3, true)};
  EXPECT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return seen.size() >= expected.size();
  }));
  subscription.reset();
  // Nothing reaches a destroyed subscription.
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 3, Settings(4, false)).ok());
  EXPECT_TRUE(Eventually([&] { return this->store_->Get(site)->revision == 4; }));
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen, expected);
}

TYPED_TEST(SettingsStoreContract, WatchingANeverWrittenSiteStartsFromTheEmptyRecord) {
  const std::string site = UniqueSite();
  absl::Mutex mu;
  std::vector<SettingsRecord> seen;
  auto subscription = this->store_->Watch(site, [&](const SettingsRecord& record) {
    absl::MutexLock lock(&mu);
    seen.push_back(record);
  });
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 0, Settings(1, true)).ok());
  EXPECT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return seen.size() >= 2;
  }));
  subscription.reset();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen, (std::vector<SettingsRecord>{SettingsRecord{}, Settings(1, true)}));
}

TYPED_TEST(SettingsStoreContract, ConcurrentWritersEachApplyExactlyOnce) {
  const std::string site = UniqueSite();
  store::SettingsStore* store = this->store_.get();
  RaceWriters(
      TypeParam::kRaceThreads, TypeParam::kRaceWrites,
      [&]() -> absl::StatusOr<int64_t> {
        absl::StatusOr<SettingsRecord> current = store->Get(site);
        if (!current.ok()) return current.status();
        return current->revision;
      },
      [&](int64_t revision, const std::string&) {
        return store->CompareAndSwap(site, revision, Settings(revision + 1, revision % 2 == 0));
      });
}

// --- EmailTemplateStore ----------------------------------------------------

template <typename Backend>
class EmailTemplateStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.OpenEmailTemplates();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  Backend backend_;
  std::unique_ptr<store::EmailTemplateStore> store_;
};
TYPED_TEST_SUITE(EmailTemplateStoreContract, Backends);

TYPED_TEST(EmailTemplateStoreContract, ANeverWrittenSiteIsAtRevisionZero) {
  absl::StatusOr<EmailTemplateRecord> record = this->store_->Get(UniqueSite());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->revision, 0);
  EXPECT_EQ(record->email_template.ByteSizeLong(), 0u);
}

TYPED_TEST(EmailTemplateStoreContract, CompareAndSwapAppliesOnlyOnTheExpectedRevision) {
  const std::string site = UniqueSite();
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 0, TemplateRecord(1, "first")).ok());
  EXPECT_EQ(this->store_->CompareAndSwap(site, 0, TemplateRecord(1, "lost race")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(this->store_->CompareAndSwap(site, 1, TemplateRecord(3, "skips one")).code(),
            absl::StatusCode::kInvalidArgument);
  ExpectSameTemplate(*this->store_->Get(site), TemplateRecord(1, "first"));
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 1, TemplateRecord(2, "second")).ok());
  ExpectSameTemplate(*this->store_->Get(site), TemplateRecord(2, "second"));
  EXPECT_EQ(this->store_->CompareAndSwap(site, 1, TemplateRecord(2, "stale")).code(),
            absl::StatusCode::kAborted);
  ExpectSameTemplate(*this->store_->Get(site), TemplateRecord(2, "second"));
}

TYPED_TEST(EmailTemplateStoreContract, SitesAreIndependent) {
  ASSERT_TRUE(this->store_->CompareAndSwap(UniqueSite("-a"), 0, TemplateRecord(1, "a")).ok());
  EXPECT_EQ(this->store_->Get(UniqueSite("-b"))->revision, 0);
  ASSERT_TRUE(this->store_->CompareAndSwap(UniqueSite("-b"), 0, TemplateRecord(1, "b")).ok());
  ExpectSameTemplate(*this->store_->Get(UniqueSite("-a")), TemplateRecord(1, "a"));
  ExpectSameTemplate(*this->store_->Get(UniqueSite("-b")), TemplateRecord(1, "b"));
}

TYPED_TEST(EmailTemplateStoreContract, ConcurrentWritersEachApplyExactlyOnce) {
  const std::string site = UniqueSite();
  store::EmailTemplateStore* store = this->store_.get();
  RaceWriters(
      TypeParam::kRaceThreads, TypeParam::kRaceWrites,
      [&]() -> absl::StatusOr<int64_t> {
        absl::StatusOr<EmailTemplateRecord> current = store->Get(site);
        if (!current.ok()) return current.status();
        return current->revision;
      },
      [&](int64_t revision, const std::string& subject) {
        return store->CompareAndSwap(site, revision, TemplateRecord(revision + 1, subject));
      });
}

// --- NotificationRequestStore: writes named after the claim ----------------

template <typename Backend>
class RequestStoreWriteContract : public ::testing::Test {
 protected:
  using Request = v1::BackInStockNotificationRequest;

  void SetUp() override {
    store_ = backend_.OpenRequests();
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->Create(site_, ReceivedAt("r1", kT0), 1000).ok());
  }
  void TearDown() override { store_.reset(); }

  store::RecordPtr Current() {
    absl::StatusOr<store::RecordPtr> current = store_->Get(site_, "r1");
    EXPECT_TRUE(current.ok()) << current.status();
    return current.ok() ? *current : nullptr;
  }
  store::NotificationRequestRecord To(Request::Status status) {
    return MovedTo(*Current(), status, kT0);
  }

  static inline const absl::Time kT0 = absl::FromUnixSeconds(1'600'000'000);
  const std::string site_ = UniqueSite();
  Backend backend_;
  std::unique_ptr<store::NotificationRequestStore> store_;
};
TYPED_TEST_SUITE(RequestStoreWriteContract, Backends);

// Entering PROCESSING is a Claim, leaving it a Release, anything else a
// CompareAndSwap: a write by another name is refused (reason
// MISNAMED_STORE_WRITE) and changes nothing, on every backend.
TYPED_TEST(RequestStoreWriteContract, AWriteThatDoesNotMatchItsNameIsRefusedAndChangesNothing) {
  using Request = v1::BackInStockNotificationRequest;
  auto& store = *this->store_;
  const std::string& site = this->site_;
  absl::Mutex mu;
  std::vector<int64_t> updates;  // revisions of the updates published
  auto subscription = store.Watch(site, [&](const store::RequestEvent& event) {
    absl::MutexLock lock(&mu);
    if (event.type == store::RequestEvent::Type::kUpdated)
      updates.push_back(event.record->revision);
  });
  const store::RecordPtr received = this->Current();
  ASSERT_NE(received, nullptr);

  // RECEIVED: entering PROCESSING by another name, releasing nothing,
  // claiming into another status.
  const absl::Status entering = store.CompareAndSwap(site, 1, this->To(Request::PROCESSING));
  EXPECT_EQ(entering.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::ReasonOf(entering), "MISNAMED_STORE_WRITE");
  EXPECT_EQ(store.Release(site, 1, this->To(Request::FAILED)).code(),
            absl::StatusCode::kFailedPrecondition);
  const absl::Status claim_into = store.Claim(site, 1, this->To(Request::NOTIFICATION_SENT));
  EXPECT_EQ(claim_into.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(claim_into), "MISNAMED_STORE_WRITE");
  EXPECT_EQ(store.Release(site, 1, this->To(Request::PROCESSING)).code(),
            absl::StatusCode::kInvalidArgument);
  // A wrong revision is refused as it always was, whatever the name.
  store::NotificationRequestRecord skips = this->To(Request::PROCESSING);
  skips.revision = 5;
  EXPECT_EQ(store.Claim(site, 1, skips).code(), absl::StatusCode::kInvalidArgument);
  store::NotificationRequestRecord stale = this->To(Request::PROCESSING);
  stale.revision = 4;
  EXPECT_EQ(store.Claim(site, 3, stale).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(this->Current()->revision, 1);
  EXPECT_EQ(this->Current()->request.status(), Request::RECEIVED);

  // Claimed: a delivery attempt recorded keeps it PROCESSING; leaving it, or
  // claiming it again, by another name is refused.
  ASSERT_TRUE(store.Claim(site, 1, this->To(Request::PROCESSING)).ok());
  EXPECT_EQ(store.Claim(site, 1, MovedTo(*received, Request::PROCESSING, this->kT0)).code(),
            absl::StatusCode::kAborted)
      << "a stale claim loses";
  ASSERT_TRUE(store.CompareAndSwap(site, 2, this->To(Request::PROCESSING)).ok());
  EXPECT_EQ(store.CompareAndSwap(site, 3, this->To(Request::NOTIFICATION_SENT)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.Claim(site, 3, this->To(Request::PROCESSING)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->Current()->revision, 3);
  EXPECT_EQ(this->Current()->request.status(), Request::PROCESSING);
  ASSERT_TRUE(store.Release(site, 3, this->To(Request::NOTIFICATION_SENT)).ok());

  // Settled: only RECEIVED requests are claimed; reopening is a
  // CompareAndSwap.
  EXPECT_EQ(store.Claim(site, 4, this->To(Request::PROCESSING)).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store.CompareAndSwap(site, 4, this->To(Request::RECEIVED)).ok());
  EXPECT_EQ(this->Current()->revision, 5);
  // Only the writes that passed were published (etcd's arrive through its
  // watch).
  EXPECT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return updates.size() >= 4u;
  }));
  subscription.reset();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(updates, (std::vector<int64_t>{2, 3, 4, 5}));
}

// Readers of a site share one list until its next write; every kind of write
// gives the next reader a new list that shows it, while a reader that holds
// the old list keeps it unchanged.
TYPED_TEST(RequestStoreWriteContract, ListIsSharedUntilTheSiteChangesAndShowsEveryWrite) {
  using Request = v1::BackInStockNotificationRequest;
  auto& store = *this->store_;
  const std::string& site = this->site_;
  auto list = [&]() -> store::RecordList {
    absl::StatusOr<store::RecordList> listed = store.List(site);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : store::EmptyRecordList();
  };
  // id -> revision, for comparing lists.
  auto revisions = [](const store::RecordList& records) {
    std::map<std::string, int64_t> by_id;
    for (const store::RecordPtr& record : *records) by_id[record->request.id()] = record->revision;
    return by_id;
  };
  using Revisions = std::map<std::string, int64_t>;

  const store::RecordList first = list();
  EXPECT_EQ(list().get(), first.get()) << "no write in between: the same list";
  EXPECT_EQ(revisions(first), (Revisions{{"r1", 1}}));

  ASSERT_TRUE(store.Create(site, ReceivedAt("r2", this->kT0), 1000).ok());
  const store::RecordList created = list();
  EXPECT_EQ(revisions(created), (Revisions{{"r1", 1}, {"r2", 1}}));
  EXPECT_EQ(revisions(first), (Revisions{{"r1", 1}})) << "a held list never changes";
  EXPECT_EQ(list().get(), created.get());

  ASSERT_TRUE(store.Claim(site, 1, this->To(Request::PROCESSING)).ok());
  EXPECT_EQ(revisions(list()), (Revisions{{"r1", 2}, {"r2", 1}}));

  const store::RecordPtr r2 = *store.Get(site, "r2");
  ASSERT_TRUE(store.Delete(site, "r2", r2->revision).ok());
  EXPECT_EQ(revisions(list()), (Revisions{{"r1", 2}}));

  // A refused write changes nothing, and the list stays the one shared.
  const store::RecordList before_refusal = list();
  EXPECT_FALSE(store.Delete(site, "r1", 1).ok());
  EXPECT_EQ(list().get(), before_refusal.get());

  absl::StatusOr<store::RecordList> other = store.List(UniqueSite("-never-written"));
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->empty());
}

// --- NotificationRequestStore: retention ------------------------------------

template <typename Backend>
class RequestStoreRetentionContract : public ::testing::Test {
 protected:
  using Request = v1::BackInStockNotificationRequest;

  void SetUp() override {
    store_ = backend_.OpenRequests();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }

  // A request of `site_` created at kT0 + `created`, moved to `status` at
  // kT0 + `settled` unless it stays RECEIVED.
  void Put(const std::string& id, absl::Duration created,
           Request::Status status = Request::RECEIVED,
           absl::Duration settled = absl::ZeroDuration()) {
    store::NotificationRequestRecord record = ReceivedAt(id, kT0 + created, "item-" + id);
    ASSERT_TRUE(store_->Create(site_, record, 1000).ok());
    if (status == Request::RECEIVED) return;
    const store::NotificationRequestRecord next = MovedTo(record, status, kT0 + settled);
    ASSERT_TRUE((status == Request::PROCESSING ? store_->Claim(site_, 1, next)
                                               : store_->CompareAndSwap(site_, 1, next))
                    .ok());
  }

  // The ids ExpiredRequests names on this test's site (the etcd cluster is
  // shared with other tests), in its order.
  std::vector<std::string> Expired(absl::Time received_before, absl::Time settled_before,
                                   size_t limit = 10000) {
    auto expired = store_->ExpiredRequests(received_before, settled_before, limit);
    EXPECT_TRUE(expired.ok()) << expired.status();
    std::vector<std::string> ids;
    if (!expired.ok()) return ids;
    for (const store::ExpiredRequest& request : *expired) {
      if (request.site == site_) ids.push_back(request.id);
    }
    return ids;
  }

  static inline const absl::Time kT0 = absl::FromUnixSeconds(1'600'000'000);
  const std::string site_ = UniqueSite();
  Backend backend_;
  std::unique_ptr<store::NotificationRequestStore> store_;
};
TYPED_TEST_SUITE(RequestStoreRetentionContract, Backends);

TYPED_TEST(RequestStoreRetentionContract,
           NamesReceivedByCreationAndSettledBySettlingNeverProcessing) {
  using Request = v1::BackInStockNotificationRequest;
  this->Put("received-early", absl::ZeroDuration());
  this->Put("received-late", absl::Hours(10));
  this->Put("processing", absl::ZeroDuration(), Request::PROCESSING);
  this->Put("sent", absl::ZeroDuration(), Request::NOTIFICATION_SENT, absl::Hours(1));
  this->Put("failed-late", absl::ZeroDuration(), Request::FAILED, absl::Hours(20));
  const absl::Time kT0 = this->kT0;
  EXPECT_THAT(this->Expired(kT0 + absl::Hours(5), kT0 + absl::Hours(5)),
              ::testing::UnorderedElementsAre("received-early", "sent"));
  EXPECT_THAT(
      this->Expired(kT0 + absl::Hours(100), kT0 + absl::Hours(100)),
      ::testing::UnorderedElementsAre("received-early", "received-late", "sent", "failed-late"));
  // InfinitePast selects none of that kind.
  EXPECT_THAT(this->Expired(absl::InfinitePast(), kT0 + absl::Hours(100)),
              ::testing::UnorderedElementsAre("sent", "failed-late"));
  EXPECT_THAT(this->Expired(kT0 + absl::Hours(100), absl::InfinitePast()),
              ::testing::UnorderedElementsAre("received-early", "received-late"));
}

TYPED_TEST(RequestStoreRetentionContract, FollowsStatusChangesAndDeletes) {
  using Request = v1::BackInStockNotificationRequest;
  this->Put("a", absl::ZeroDuration());
  this->Put("b", absl::ZeroDuration(), Request::FAILED, absl::Hours(1));
  const absl::Time late = this->kT0 + absl::Hours(100);
  ASSERT_THAT(this->Expired(late, late), ::testing::UnorderedElementsAre("a", "b"));
  // Claimed for sending: no longer a candidate; settled at +200h: not yet.
  auto a = this->store_->Get(this->site_, "a");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(this->store_->Claim(this->site_, 1, MovedTo(**a, Request::PROCESSING, late)).ok());
  EXPECT_THAT(this->Expired(late, late), ::testing::ElementsAre("b"));
  a = this->store_->Get(this->site_, "a");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(this->store_
                  ->Release(this->site_, 2,
                            MovedTo(**a, Request::NOTIFICATION_SENT, this->kT0 + absl::Hours(200)))
                  .ok());
  EXPECT_THAT(this->Expired(late, late), ::testing::ElementsAre("b"));
  const absl::Time later = this->kT0 + absl::Hours(300);
  EXPECT_THAT(this->Expired(later, later), ::testing::UnorderedElementsAre("a", "b"));
  ASSERT_TRUE(this->store_->Delete(this->site_, "b", 2).ok());
  EXPECT_THAT(this->Expired(later, later), ::testing::ElementsAre("a"));
}

TYPED_TEST(RequestStoreRetentionContract, AnswersAtMostTheLimitMostOverdueFirst) {
  using Request = v1::BackInStockNotificationRequest;
  for (int i = 0; i < 5; ++i) {
    this->Put(absl::StrCat("r", i), absl::Hours(-20), Request::NOTIFICATION_SENT,
              absl::Hours(-10) + absl::Minutes(i));
  }
  // The etcd cluster is shared: these settled before anything another test
  // writes, so they are the most overdue of all.
  auto expired =
      this->store_->ExpiredRequests(absl::InfinitePast(), this->kT0 + absl::Hours(10), 2);
  ASSERT_TRUE(expired.ok()) << expired.status();
  ASSERT_EQ(expired->size(), 2u);
  EXPECT_EQ((*expired)[0].id, "r0");
  EXPECT_EQ((*expired)[0].overdue, absl::Hours(20));
  EXPECT_EQ((*expired)[1].id, "r1");
}

}  // namespace
}  // namespace backinstock::testing
