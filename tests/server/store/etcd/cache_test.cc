// The replica cache in-process, over a real cluster: a reader whose only etcd
// member goes away while another replica writes and the history is compacted
// catches up by a full re-read, publishing exactly the difference: nothing
// missed, nothing twice.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "server/store/etcd/etcd_backend.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/txn.h"
#include "tests/server/store/etcd/request_records.h"
#include "tests/support/etcd_cluster.h"

namespace backinstock::testing {
namespace {

using store::RequestEvent;
using store::etcd::EtcdBackend;
using store::etcd::EtcdOptions;
using Request = v1::BackInStockNotificationRequest;

constexpr char kSite[] = "shop-cache";

// Every event a subscriber got, in order, as "<type> <id> r<revision>".
class Recorder {
 public:
  void Add(const RequestEvent& event) {
    absl::MutexLock lock(&mu_);
    static const char* kNames[] = {"created", "updated", "deleted"};
    events_.push_back(absl::StrCat(kNames[static_cast<int>(event.type)], " ", event.id, " r",
                                   event.record->revision));
  }
  // Waits (bounded) until `count` events arrived; returns them all.
  std::vector<std::string> Await(size_t count) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, count]()
                      ABSL_NO_THREAD_SAFETY_ANALYSIS { return events_.size() >= count; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> events_ ABSL_GUARDED_BY(mu_);
};

TEST(EtcdCacheTest, CompactedHistoryIsReplacedByAFullReReadThatPublishesTheDifference) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;

  EtcdOptions writer_options;
  writer_options.endpoints = {etcd.ClientAddress(1), etcd.ClientAddress(2)};
  EtcdOptions reader_options;
  reader_options.endpoints = {etcd.ClientAddress(0)};
  auto writer = EtcdBackend::Open(writer_options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  auto reader = EtcdBackend::Open(reader_options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto writes = (*writer)->NewRequestStore();
  auto settings_writes = (*writer)->NewSettingsStore();
  auto reads = (*reader)->NewRequestStore();
  auto settings_reads = (*reader)->NewSettingsStore();

  Recorder recorder;
  auto subscription = reads->Watch(kSite, [&](const RequestEvent& event) { recorder.Add(event); });
  std::vector<int64_t> settings_seen;
  absl::Mutex settings_mu;
  auto settings_subscription = settings_reads->Watch(kSite, [&](const store::SettingsRecord& r) {
    absl::MutexLock lock(&settings_mu);
    settings_seen.push_back(r.revision);
  });

  for (const char* id : {"r1", "r2", "r3"}) {
    auto created = writes->Create(kSite, NewRecord(id, absl::StrCat(id, "@e.co")), 100);
    ASSERT_TRUE(created.ok()) << created.status();
    ASSERT_EQ(created->outcome, store::CreateResult::Outcome::kCreated);
  }
  ASSERT_TRUE(writes->Claim(kSite, 1, Next(*writes->Get(kSite, "r2"), Request::PROCESSING)).ok());
  const std::vector<std::string> before = {"created r1 r1", "created r2 r1", "created r3 r1",
                                           "updated r2 r2"};
  ASSERT_EQ(recorder.Await(4), before);

  // The reader's only member goes away; meanwhile the writer changes things
  // and the history is compacted past what the reader saw.
  ASSERT_TRUE(etcd.Kill(0).ok());
  ASSERT_TRUE(writes->Delete(kSite, "r1", 1).ok());
  ASSERT_TRUE(writes->Claim(kSite, 1, Next(*writes->Get(kSite, "r3"), Request::PROCESSING)).ok());
  ASSERT_TRUE(
      writes->Release(kSite, 2, Next(*writes->Get(kSite, "r3"), Request::NOTIFICATION_SENT)).ok());
  ASSERT_TRUE(writes->Create(kSite, NewRecord("r4", "r4@e.co"), 100).ok());
  store::SettingsRecord settings;
  settings.revision = 1;
  settings.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", true});
  ASSERT_TRUE(settings_writes->CompareAndSwap(kSite, 0, settings).ok());
  ASSERT_TRUE(etcd.Compact().ok());
  ASSERT_TRUE(etcd.Restart(0).ok());

  // One event per record that differs, with its latest state; r2 unchanged.
  std::vector<std::string> events = recorder.Await(7);
  ASSERT_EQ(events.size(), 7u);
  std::vector<std::string> after(events.begin() + 4, events.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, (std::vector<std::string>{"created r4 r1", "deleted r1 r1", "updated r3 r3"}));
  EXPECT_EQ((*reader)->cache()->full_reloads(), 1);
  {
    absl::MutexLock lock(&settings_mu);
    EXPECT_EQ(settings_seen, (std::vector<int64_t>{0, 1}));
  }
  // And the reader's reads agree with the writer's.
  auto listed = reads->List(kSite);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)->size(), 3u);
  auto r3 = reads->Get(kSite, "r3");
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ((*r3)->request.status(), Request::NOTIFICATION_SENT);
  EXPECT_FALSE(reads->Get(kSite, "r1").ok());

  // Nothing more arrives afterwards (no duplicates from a late resume): a new
  // write is the next event.
  ASSERT_TRUE(writes->Create(kSite, NewRecord("r5", "r5@e.co"), 100).ok());
  events = recorder.Await(8);
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events.back(), "created r5 r1");
  subscription.reset();
  settings_subscription.reset();
}

TEST(EtcdCacheTest, BrokenWatchResumesFromTheLastAppliedRevisionWithEveryChange) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;
  EtcdOptions writer_options;
  writer_options.endpoints = {etcd.ClientAddress(1), etcd.ClientAddress(2)};
  EtcdOptions reader_options;
  reader_options.endpoints = {etcd.ClientAddress(0)};
  auto writer = EtcdBackend::Open(writer_options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  auto reader = EtcdBackend::Open(reader_options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto writes = (*writer)->NewRequestStore();
  auto reads = (*reader)->NewRequestStore();
  Recorder recorder;
  auto subscription = reads->Watch(kSite, [&](const RequestEvent& event) { recorder.Add(event); });

  ASSERT_TRUE(writes->Create(kSite, NewRecord("r1", "r1@e.co"), 100).ok());
  ASSERT_EQ(recorder.Await(1), std::vector<std::string>{"created r1 r1"});
  ASSERT_TRUE(etcd.Kill(0).ok());
  // While the reader's stream is down, a record goes through three states.
  ASSERT_TRUE(writes->Claim(kSite, 1, Next(*writes->Get(kSite, "r1"), Request::PROCESSING)).ok());
  ASSERT_TRUE(writes->Release(kSite, 2, Next(*writes->Get(kSite, "r1"), Request::FAILED)).ok());
  ASSERT_TRUE(writes->Create(kSite, NewRecord("r2", "r2@e.co"), 100).ok());
  ASSERT_TRUE(etcd.Restart(0).ok());

  // History is still there: every change arrives, in order, once.
  const std::vector<std::string> expected = {"created r1 r1", "updated r1 r2", "updated r1 r3",
                                             "created r2 r1"};
  EXPECT_EQ(recorder.Await(4), expected);
  EXPECT_EQ((*reader)->cache()->full_reloads(), 0);
  ASSERT_TRUE(writes->Delete(kSite, "r2", 1).ok());
  std::vector<std::string> events = recorder.Await(5);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events.back(), "deleted r2 r1");
}

// Read-your-writes rests on this: the cache counts a revision as applied only
// once the watch has delivered it. etcd 3.4.23 answers a requested progress
// notification with its current revision even while events before it are
// still on their way (etcd issue 15220), so a cache that asked for one could
// claim a revision it had not applied. What catches a cache up with writes it
// cannot see coming is a fence: a write under the prefix, whose event it
// waits for.
TEST(EtcdCacheTest, OnlyTheWatchsOwnEventsMoveTheCacheForwardAndAFenceCatchesItUp) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdOptions reader_options;
  reader_options.endpoints = {(*cluster)->ClientAddress(0)};
  auto client = store::etcd::EtcdClient::Connect(reader_options);
  ASSERT_TRUE(client.ok()) << client.status();
  auto cache = store::etcd::EtcdCache::Start(client->get(), absl::Seconds(30));
  ASSERT_TRUE(cache.ok()) << cache.status();

  // A revision made outside the prefix: no event will ever carry it.
  etcdserverpb::TxnRequest elsewhere;
  store::etcd::AddPut(elsewhere.add_success(), "/not-backinstock/key", "value");
  auto outside = (*client)->Txn(elsewhere);
  ASSERT_TRUE(outside.ok()) << outside.status();
  const int64_t outside_revision = outside->header().revision();
  EXPECT_FALSE((*cache)->WaitForRevision(outside_revision, absl::Milliseconds(500)));
  EXPECT_LT((*cache)->applied_revision(), outside_revision);

  // Another replica writes through the other members; a fence written after
  // it is applied only once that write is.
  EtcdOptions writer_options;
  writer_options.endpoints = {(*cluster)->ClientAddress(1), (*cluster)->ClientAddress(2)};
  auto writer = EtcdBackend::Open(writer_options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  store::SettingsRecord record;
  record.revision = 1;
  record.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", true});
  ASSERT_TRUE((*writer)->NewSettingsStore()->CompareAndSwap("shop-fence", 0, record).ok());
  auto fence = (*client)->WriteFence();
  ASSERT_TRUE(fence.ok()) << fence.status();
  EXPECT_GT(*fence, outside_revision);
  ASSERT_TRUE((*cache)->WaitForRevision(*fence, absl::Seconds(30)));
  auto settings = (*cache)->Settings("shop-fence");
  ASSERT_TRUE(settings.has_value());
  EXPECT_EQ(settings->record.revision, 1);
}

TEST(EtcdCacheTest, CapAndDuplicateRulesHoldAcrossTwoBackends) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdOptions options;
  for (int i = 0; i < 3; ++i) options.endpoints.push_back((*cluster)->ClientAddress(i));
  auto one = EtcdBackend::Open(options);
  auto two = EtcdBackend::Open(options);
  ASSERT_TRUE(one.ok() && two.ok());
  auto store_one = (*one)->NewRequestStore();
  auto store_two = (*two)->NewRequestStore();

  // Ten creates of distinct requests race on two backends against a cap of 6.
  constexpr int kCap = 6;
  std::atomic<int> created{0}, full{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&, i] {
      auto& store = i % 2 == 0 ? store_one : store_two;
      auto result = store->Create(
          kSite, NewRecord(absl::StrCat("c", i), absl::StrCat("c", i, "@e.co")), kCap);
      ASSERT_TRUE(result.ok()) << result.status();
      if (result->outcome == store::CreateResult::Outcome::kCreated) created.fetch_add(1);
      if (result->outcome == store::CreateResult::Outcome::kSiteFull) full.fetch_add(1);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(created.load(), kCap);
  EXPECT_EQ(full.load(), 10 - kCap);

  // A delete makes room for exactly one more; a duplicate is refused first.
  auto listed = store_one->List(kSite);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ((*listed)->size(), static_cast<size_t>(kCap));
  const store::RecordPtr victim = (**listed)[0];
  auto duplicate = store_two->Create(kSite, NewRecord("dup", victim->request.email()), kCap);
  ASSERT_TRUE(duplicate.ok());
  EXPECT_EQ(duplicate->outcome, store::CreateResult::Outcome::kDuplicate);
  EXPECT_EQ(duplicate->existing_id, victim->request.id());
  ASSERT_TRUE(store_one->Delete(kSite, victim->request.id(), victim->revision).ok());
  auto again = store_two->Create(kSite, NewRecord("after", "after@e.co"), kCap);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->outcome, store::CreateResult::Outcome::kCreated);
  auto over = store_one->Create(kSite, NewRecord("over", "over@e.co"), kCap);
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->outcome, store::CreateResult::Outcome::kSiteFull);
  // A stale revision loses a compare-and-swap on either backend.
  auto current = store_two->Get(kSite, "after");
  ASSERT_TRUE(current.ok());
  ASSERT_TRUE(store_two->Claim(kSite, 1, Next(*current, Request::PROCESSING)).ok());
  EXPECT_EQ(store_one->Claim(kSite, 1, Next(*current, Request::PROCESSING)).code(),
            absl::StatusCode::kAborted);
}

TEST(EtcdCacheTest, StopsWhileTheOnlyMemberItFollowsIsDown) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(3);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdOptions options;
  options.endpoints = {(*cluster)->ClientAddress(0)};
  auto client = store::etcd::EtcdClient::Connect(options);
  ASSERT_TRUE(client.ok()) << client.status();
  auto cache = store::etcd::EtcdCache::Start(client->get(), absl::Seconds(30));
  ASSERT_TRUE(cache.ok()) << cache.status();
  {
    // Its stream is up: a write through the other members reaches it.
    EtcdOptions writer_options;
    writer_options.endpoints = {(*cluster)->ClientAddress(1), (*cluster)->ClientAddress(2)};
    auto writer = EtcdBackend::Open(writer_options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    auto settings = (*writer)->NewSettingsStore();
    store::SettingsRecord record;
    record.revision = 1;
    record.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", true});
    ASSERT_TRUE(settings->CompareAndSwap("shop-stop", 0, record).ok());
    ASSERT_TRUE(
        (*cache)->WaitForRevision((*writer)->cache()->applied_revision(), absl::Seconds(30)));
  }
  ASSERT_TRUE((*cluster)->Kill(0).ok());
  // Wait until the cache, its stream broken, is opening the next one, which
  // waits for the dead member to come back.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while ((*cache)->watch_attempts() < 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_GE((*cache)->watch_attempts(), 2);
  // Stopping cancels that wait: this returns rather than hanging the server's
  // shutdown (the test's timeout is the failure otherwise).
  cache->reset();
}

TEST(EtcdCacheTest, ASiteWhoseRequestsAreAllGoneLeavesTheCache) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdOptions options;
  options.endpoints = {(*cluster)->ClientAddress(0)};
  auto backend = EtcdBackend::Open(options);
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto requests = (*backend)->NewRequestStore();
  const store::etcd::EtcdCache& cache = *(*backend)->cache();

  for (int s = 0; s < 5; ++s) {
    const std::string site = absl::StrCat("shop-gone-", s);
    for (const char* id : {"a", "b"}) {
      auto created = requests->Create(site, NewRecord(id, absl::StrCat(id, "@e.co")), 100);
      ASSERT_TRUE(created.ok()) << created.status();
    }
    // One request goes through a claim (a claim key comes and goes too).
    ASSERT_TRUE(
        requests->Claim(site, 1, Next(*requests->Get(site, "a"), Request::PROCESSING)).ok());
    ASSERT_TRUE(requests->Delete(site, "a", 2).ok());
    ASSERT_TRUE(requests->Delete(site, "b", 1).ok());
  }
  EXPECT_EQ(cache.request_sites(), 0u) << "no entry is kept for a site that holds nothing";

  // A site that comes back starts from its count in etcd.
  auto again = requests->Create("shop-gone-0", NewRecord("c", "c@e.co"), 1);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->outcome, store::CreateResult::Outcome::kCreated);
  EXPECT_EQ(cache.request_sites(), 1u);
  auto full = requests->Create("shop-gone-0", NewRecord("d", "d@e.co"), 1);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->outcome, store::CreateResult::Outcome::kSiteFull);
}

}  // namespace
}  // namespace backinstock::testing
