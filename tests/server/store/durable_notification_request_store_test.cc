// DurableNotificationRequestStore: the store contract, writes visible only
// once durable, restarts that restore the exact state (records, revisions,
// open-request indexes), interrupted reports, and storage failures.
#include "server/store/durable_notification_request_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "backinstock/errors/error.h"
#include "server/store/catalog_key.h"
#include "tests/support/temp_dir.h"

namespace backinstock::store {
namespace {

using testing::TempDir;
using Request = v1::BackInStockNotificationRequest;

constexpr char kApp[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";
constexpr int64_t kNoCap = 1'000'000;

std::string Id(int n) { return absl::StrFormat("00000000-0000-4000-8000-%012d", n); }

NotificationRequestRecord NewRecord(int n, const std::string& item, const std::string& email) {
  NotificationRequestRecord record;
  record.revision = 1;
  record.request.set_id(Id(n));
  record.request.mutable_catalog_reference()->set_catalog_item_id(item);
  record.request.mutable_catalog_reference()->set_app_id(kApp);
  record.request.set_email(email);
  record.request.set_status(Request::RECEIVED);
  record.request.set_item_url(absl::StrCat("https://shop.example/", item));
  record.request.mutable_created_date()->set_seconds(1700000000 + n);
  return record;
}

NotificationRequestRecord Next(const RecordPtr& current, Request::Status status,
                               std::optional<bool> auto_notified = std::nullopt) {
  NotificationRequestRecord next = *current;
  next.revision = current->revision + 1;
  next.request.set_status(status);
  if (auto_notified) next.request.mutable_auto_notified()->set_value(*auto_notified);
  return next;
}

std::string ItemKey(const std::string& item) {
  v1::CatalogReference reference;
  reference.set_catalog_item_id(item);
  reference.set_app_id(kApp);
  return CatalogKey(reference);
}

// Everything observable about a site, for before/after comparisons.
struct SiteView {
  std::map<std::string, std::pair<int64_t, std::string>> records;  // id -> revision, bytes
  std::vector<int64_t> open_counts;
  std::map<std::string, std::vector<std::string>> open_ids;

  bool operator==(const SiteView& other) const {
    return records == other.records && open_counts == other.open_counts &&
           open_ids == other.open_ids;
  }
};

SiteView ViewOf(NotificationRequestStore& store, const std::string& site,
                const std::vector<std::string>& items) {
  SiteView view;
  const std::vector<RecordPtr> records = **store.List(site);
  for (const RecordPtr& record : records) {
    view.records[record->request.id()] = {record->revision, record->request.SerializeAsString()};
  }
  std::vector<std::string> keys;
  for (const std::string& item : items) keys.push_back(ItemKey(item));
  view.open_counts = *store.CountOpen(site, keys);
  for (const std::string& item : items) {
    std::vector<std::string> ids = *store.OpenIds(site, ItemKey(item));
    std::sort(ids.begin(), ids.end());
    view.open_ids[item] = ids;
  }
  return view;
}

DurableRequestStoreOptions NoCompaction() {
  DurableRequestStoreOptions options;
  options.journal.background_compaction = false;
  return options;
}

TEST(DurableNotificationRequestStore, KeepsTheStoreContractAndJournalsOnlyAcceptedWrites) {
  TempDir dir("durable-requests");
  auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
  ASSERT_TRUE(store.ok()) << store.status();
  auto& s = **store;
  ASSERT_EQ(s.Create("site", NewRecord(1, "item", "a@x.io"), kNoCap)->outcome,
            CreateResult::Outcome::kCreated);
  const auto duplicate = s.Create("site", NewRecord(2, "item", "A@X.io"), kNoCap);
  ASSERT_TRUE(duplicate.ok());
  EXPECT_EQ(duplicate->outcome, CreateResult::Outcome::kDuplicate);
  EXPECT_EQ(duplicate->existing_id, Id(1));
  EXPECT_EQ(s.Create("site", NewRecord(3, "other", "a@x.io"), 1)->outcome,
            CreateResult::Outcome::kSiteFull);

  RecordPtr current = *s.Get("site", Id(1));
  EXPECT_EQ(s.CompareAndSwap("site", 5, Next(current, Request::FAILED)).code(),
            absl::StatusCode::kInvalidArgument);
  NotificationRequestRecord stale = Next(current, Request::FAILED);
  stale.revision = 3;
  EXPECT_EQ(s.CompareAndSwap("site", 2, stale).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.Delete("site", Id(1), 7).code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.Delete("site", Id(9), 1).code(), absl::StatusCode::kNotFound);
  // Entering PROCESSING is a Claim; releasing needs a claim.
  EXPECT_EQ(s.CompareAndSwap("site", 1, Next(current, Request::PROCESSING)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Release("site", 1, Next(current, Request::FAILED)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.CompareAndSwap("site", 1, Next(*s.Get("site", Id(1)), Request::FAILED)).code(),
            absl::StatusCode::kOk);
  EXPECT_EQ(s.journal().Stats().appends, 2u) << "refused writes are not journaled";
}

TEST(DurableNotificationRequestStore, ARestartRestoresRecordsRevisionsAndIndexes) {
  TempDir dir("durable-requests");
  const std::vector<std::string> items = {"a", "b", "c", "d"};
  SiteView before;
  SiteView other_before;
  {
    auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    for (int n = 0; n < 40; ++n) {
      ASSERT_EQ(
          s.Create("site", NewRecord(n, items[n % 4], absl::StrCat("c", n / 4, "@x.io")), kNoCap)
              ->outcome,
          CreateResult::Outcome::kCreated);
    }
    ASSERT_EQ(s.Create("other", NewRecord(100, "a", "c0@x.io"), kNoCap)->outcome,
              CreateResult::Outcome::kCreated);
    for (int n = 0; n < 40; n += 3) {  // a mix of every status and a few deletions
      RecordPtr r = *s.Get("site", Id(n));
      switch (n % 4) {
        case 0:
          ASSERT_TRUE(s.CompareAndSwap("site", 1, Next(r, Request::NOTIFICATION_SENT, false)).ok());
          break;
        case 1:
          ASSERT_TRUE(s.Claim("site", 1, Next(r, Request::PROCESSING)).ok());
          r = *s.Get("site", Id(n));
          ASSERT_TRUE(s.Release("site", 2, Next(r, Request::FAILED, true)).ok());
          break;
        case 2:
          ASSERT_TRUE(s.Delete("site", Id(n), 1).ok());
          break;
        default:
          ASSERT_TRUE(s.CompareAndSwap("site", 1, Next(r, Request::RECEIVED)).ok());
      }
    }
    before = ViewOf(s, "site", items);
    other_before = ViewOf(s, "other", items);
  }
  auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
  ASSERT_TRUE(store.ok()) << store.status();
  auto& s = **store;
  EXPECT_TRUE(ViewOf(s, "site", items) == before);
  EXPECT_TRUE(ViewOf(s, "other", items) == other_before);
  EXPECT_EQ(s.restored_records(), before.records.size() + other_before.records.size());
  EXPECT_EQ(s.failed_interrupted(), 0u);

  // The open-request index works after the restart: duplicates are refused,
  // closed keys take a new request.
  const auto duplicate = s.Create("site", NewRecord(200, "b", "c0@x.io"), kNoCap);
  EXPECT_EQ(duplicate->outcome, CreateResult::Outcome::kDuplicate);
  EXPECT_EQ(duplicate->existing_id, Id(1));
  EXPECT_EQ(s.Create("site", NewRecord(201, "a", "c0@x.io"), kNoCap)->outcome,
            CreateResult::Outcome::kCreated)
      << "request 0 was sent, so its key is free";
  EXPECT_EQ(s.Create("site", NewRecord(202, "a", "new@x.io"),
                     static_cast<int64_t>(before.records.size()) + 1)
                ->outcome,
            CreateResult::Outcome::kSiteFull)
      << "the cap counts restored records";
}

TEST(DurableNotificationRequestStore, ASnapshotPlusJournalRestoresTheState) {
  TempDir dir("durable-requests");
  const std::vector<std::string> items = {"a", "b"};
  SiteView before;
  {
    auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    for (int n = 0; n < 30; ++n) {
      ASSERT_TRUE(
          s.Create("site", NewRecord(n, items[n % 2], absl::StrCat(n, "@x.io")), kNoCap).ok());
    }
    for (int n = 0; n < 10; ++n) ASSERT_TRUE(s.Delete("site", Id(n), 1).ok());
    ASSERT_TRUE(s.journal().Rotate().ok());
    ASSERT_TRUE(s.journal().Compact().ok());
    for (int n = 10; n < 20; ++n) {
      ASSERT_TRUE(
          s.CompareAndSwap("site", 1, Next(*s.Get("site", Id(n)), Request::FAILED, true)).ok());
    }
    ASSERT_TRUE(s.Delete("site", Id(25), 1).ok());
    before = ViewOf(s, "site", items);
  }
  auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->journal().recovery().snapshot.has_value());
  EXPECT_TRUE(ViewOf(**store, "site", items) == before);
  EXPECT_EQ(before.records.size(), 19u);
}

// A request left PROCESSING with its email queued is handed back to be sent
// again (with the state the journal holds); one without a queued email
// (written before emails were queued) is settled FAILED, journaled.
TEST(DurableNotificationRequestStore, RequestsLeftProcessingAreResumedOrFailed) {
  TempDir dir("durable-requests");
  auto email = std::make_shared<QueuedEmail>();
  email->mutable_item_details()->set_name("Shirt");
  (*email->mutable_template_parameters())["coupon"] = "SPRING";
  email->mutable_state()->set_attempts(2);
  email->mutable_state()->set_last_error("451 try later");
  {
    auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    ASSERT_TRUE(s.Create("site", NewRecord(1, "a", "p@x.io"), kNoCap).ok());
    ASSERT_TRUE(s.Create("site", NewRecord(2, "a", "q@x.io"), kNoCap).ok());
    ASSERT_TRUE(s.Create("site", NewRecord(3, "b", "r@x.io"), kNoCap).ok());
    ASSERT_TRUE(s.Claim("site", 1, Next(*s.Get("site", Id(1)), Request::PROCESSING)).ok());
    NotificationRequestRecord queued = Next(*s.Get("site", Id(3)), Request::PROCESSING);
    queued.delivery = email;
    ASSERT_TRUE(s.Claim("site", 1, queued).ok());
  }
  {
    auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
    ASSERT_TRUE(store.ok()) << store.status();
    // Nothing is settled before the delivery queue asks.
    EXPECT_EQ((*(*store)->Get("site", Id(1)))->request.status(), Request::PROCESSING);
    std::vector<RecordPtr> resumed;
    ASSERT_TRUE((*store)
                    ->ResumeDeliveries([&](const std::string& site, RecordPtr record) {
                      EXPECT_EQ(site, "site");
                      resumed.push_back(std::move(record));
                    })
                    .ok());
    ASSERT_EQ(resumed.size(), 1u);
    EXPECT_EQ(resumed[0]->request.id(), Id(3));
    EXPECT_EQ(resumed[0]->revision, 2);
    ASSERT_NE(resumed[0]->delivery, nullptr);
    EXPECT_EQ(resumed[0]->delivery->item_details().name(), "Shirt");
    EXPECT_EQ(resumed[0]->delivery->template_parameters().at("coupon"), "SPRING");
    EXPECT_EQ(resumed[0]->delivery->state().attempts(), 2);
    EXPECT_EQ(resumed[0]->delivery->state().last_error(), "451 try later");

    EXPECT_EQ((*store)->failed_interrupted(), 1u);
    RecordPtr failed = *(*store)->Get("site", Id(1));
    EXPECT_EQ(failed->request.status(), Request::FAILED);
    EXPECT_EQ(failed->revision, 3);
    EXPECT_TRUE(failed->request.has_auto_notified() && failed->request.auto_notified().value());
    EXPECT_EQ((*(*store)->Get("site", Id(2)))->request.status(), Request::RECEIVED);
    EXPECT_EQ((*(*store)->CountOpen("site", {ItemKey("a")}))[0], 1);
    EXPECT_EQ((*(*store)->CountOpen("site", {ItemKey("b")}))[0], 1) << "still queued: open";
  }
  auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
  ASSERT_TRUE(store.ok());
  int resumed = 0;
  ASSERT_TRUE((*store)->ResumeDeliveries([&](const std::string&, RecordPtr) { ++resumed; }).ok());
  EXPECT_EQ(resumed, 1) << "still queued after another restart";
  EXPECT_EQ((*store)->failed_interrupted(), 0u) << "the settlement was journaled";
  EXPECT_EQ((*(*store)->Get("site", Id(1)))->revision, 3);
}

// The value encoding keeps a record's queued email, and reads records
// written before emails were queued as they always were.
TEST(DurableNotificationRequestStore, ValuesCarryTheQueuedEmail) {
  NotificationRequestRecord record = NewRecord(7, "a", "p@x.io");
  record.revision = (int64_t{1} << 40) + 5;
  const std::string plain = DurableNotificationRequestStore::EncodeValue(record);
  auto email = std::make_shared<QueuedEmail>();
  email->mutable_item_details()->set_price("9.99");
  record.delivery = email;
  const std::string with_email = DurableNotificationRequestStore::EncodeValue(record);
  absl::StatusOr<NotificationRequestRecord> decoded =
      DurableNotificationRequestStore::DecodeValue(with_email);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->revision, record.revision);
  EXPECT_EQ(decoded->request.id(), Id(7));
  ASSERT_NE(decoded->delivery, nullptr);
  EXPECT_EQ(decoded->delivery->item_details().price(), "9.99");
  decoded = DurableNotificationRequestStore::DecodeValue(plain);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->revision, record.revision);
  EXPECT_EQ(decoded->delivery, nullptr);
  // A length that runs past the end is damage, not a shorter record.
  EXPECT_EQ(DurableNotificationRequestStore::DecodeValue(with_email.substr(0, 12)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(DurableNotificationRequestStore, ReadersAndWatchersSeeAWriteOnlyOnceItIsDurable) {
  TempDir dir("durable-requests");
  auto release = std::make_shared<absl::Notification>();
  auto syncing = std::make_shared<absl::Notification>();
  auto hold = std::make_shared<std::atomic<bool>>(false);
  DurableRequestStoreOptions options = NoCompaction();
  options.journal.sync_data = [release, syncing, hold](const journal::File& file,
                                                       const std::string& path) {
    if (*hold) {
      syncing->Notify();
      release->WaitForNotification();
    }
    return journal::SyncData(file, path);
  };
  auto store = DurableNotificationRequestStore::Open(dir.path(), options);
  ASSERT_TRUE(store.ok());
  auto& s = **store;
  std::atomic<int> events{0};
  auto watch = s.Watch("site", [&](const RequestEvent&) { ++events; });

  *hold = true;
  std::thread writer(
      [&] { EXPECT_TRUE(s.Create("site", NewRecord(1, "a", "w@x.io"), kNoCap).ok()); });
  syncing->WaitForNotification();  // the record is written, its sync has not returned
  EXPECT_TRUE(absl::IsNotFound(s.Get("site", Id(1)).status()));
  EXPECT_TRUE((*s.List("site"))->empty());
  EXPECT_EQ(events.load(), 0);
  release->Notify();
  writer.join();
  EXPECT_TRUE(s.Get("site", Id(1)).ok());
  EXPECT_EQ(events.load(), 1);
}

TEST(DurableNotificationRequestStore, AFailedSyncFailsTheWriteWithoutAnyEffect) {
  TempDir dir("durable-requests");
  auto fail = std::make_shared<std::atomic<bool>>(false);
  auto reported = std::make_shared<std::atomic<int>>(0);
  DurableRequestStoreOptions options = NoCompaction();
  options.journal.sync_data = [fail](const journal::File& file, const std::string& path) {
    if (*fail) return absl::InternalError("cannot fdatasync " + path + ": Input/output error");
    return journal::SyncData(file, path);
  };
  options.journal.on_failure = [reported](const absl::Status&) { ++*reported; };
  {
    auto store = DurableNotificationRequestStore::Open(dir.path(), options);
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    ASSERT_TRUE(s.Create("site", NewRecord(1, "a", "f@x.io"), kNoCap).ok());
    std::atomic<int> events{0};
    auto watch = s.Watch("site", [&](const RequestEvent&) { ++events; });
    *fail = true;
    const auto created = s.Create("site", NewRecord(2, "b", "f@x.io"), kNoCap);
    EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(errors::ReasonOf(created.status()), "STORAGE_UNAVAILABLE");
    EXPECT_EQ(s.Delete("site", Id(1), 1).code(), absl::StatusCode::kUnavailable);
    EXPECT_TRUE(absl::IsNotFound(s.Get("site", Id(2)).status()));
    EXPECT_TRUE(s.Get("site", Id(1)).ok());
    EXPECT_EQ(events.load(), 0);
    EXPECT_EQ(reported->load(), 1) << "the failure is reported once, before the write is answered";
  }
  options.journal.sync_data = nullptr;
  auto store = DurableNotificationRequestStore::Open(dir.path(), options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->Get("site", Id(1)).ok());
  // The refused create was written, just not synced: like a call in flight at
  // a crash, its outcome is unknown to its caller and it may come back.
  EXPECT_LE((*store)->restored_records(), 2u);
}

TEST(DurableNotificationRequestStore, ConcurrentWritersKeepTheDuplicateRuleAcrossRestarts) {
  TempDir dir("durable-requests");
  constexpr int kThreads = 8;
  constexpr int kKeys = 20;
  SiteView before;
  {
    auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
    ASSERT_TRUE(store.ok());
    auto& s = **store;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        // Every thread races every other for the same keys; each thread
        // closes the requests it won, so later rounds can create again.
        for (int k = 0; k < kKeys; ++k) {
          const int n = t * 1000 + k;
          auto created = s.Create(
              "site", NewRecord(n, absl::StrCat("item", k % 4), absl::StrCat("k", k, "@x.io")),
              kNoCap);
          ASSERT_TRUE(created.ok()) << created.status();
          if (created->outcome == CreateResult::Outcome::kCreated && t % 2 == 0) {
            ASSERT_TRUE(
                s.CompareAndSwap("site", 1,
                                 Next(*s.Get("site", Id(n)), Request::NOTIFICATION_SENT, false))
                    .ok());
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    before = ViewOf(s, "site", {"item0", "item1", "item2", "item3"});
  }
  auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
  ASSERT_TRUE(store.ok()) << store.status();
  std::map<std::string, int> open_per_email;
  const std::vector<RecordPtr> records = **(*store)->List("site");
  for (const RecordPtr& record : records) {
    if (IsOpen(record->request.status())) ++open_per_email[record->request.email()];
  }
  EXPECT_TRUE(ViewOf(**store, "site", {"item0", "item1", "item2", "item3"}) == before);
  for (const auto& [email, open] : open_per_email) EXPECT_EQ(open, 1) << email;
}

TEST(DurableNotificationRequestStore, ADamagedRecordValueStopsStartup) {
  TempDir dir("durable-requests");
  {
    journal::JournalOptions options;
    auto journal = journal::Journal::Open(
        dir.path(), options, [](const journal::RecordView&) { return absl::OkStatus(); });
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("site/" + Id(1), "short").ok());
  }
  auto store = DurableNotificationRequestStore::Open(dir.path(), NoCompaction());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("byte offset"), absl::string_view::npos)
      << store.status();
}

TEST(DurableNotificationRequestStore, KeysAndValuesRoundTrip) {
  const std::string key = DurableNotificationRequestStore::EncodeKey("my.site-1", Id(7));
  auto decoded_key = DurableNotificationRequestStore::DecodeKey(key);
  ASSERT_TRUE(decoded_key.ok());
  EXPECT_EQ(decoded_key->first, "my.site-1");
  EXPECT_EQ(decoded_key->second, Id(7));
  EXPECT_FALSE(DurableNotificationRequestStore::DecodeKey("no-slash").ok());
  EXPECT_FALSE(DurableNotificationRequestStore::DecodeKey("/id").ok());

  NotificationRequestRecord record = NewRecord(7, "a", "r@x.io");
  record.revision = 300;
  auto decoded = DurableNotificationRequestStore::DecodeValue(
      DurableNotificationRequestStore::EncodeValue(record));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->revision, 300);
  EXPECT_EQ(decoded->request.SerializeAsString(), record.request.SerializeAsString());
  EXPECT_FALSE(DurableNotificationRequestStore::DecodeValue("1234567").ok());
}

}  // namespace
}  // namespace backinstock::store
