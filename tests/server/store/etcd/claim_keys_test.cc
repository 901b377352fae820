// Claim keys in-process, over a real cluster: a Claim (RECEIVED ->
// PROCESSING) writes the request's claim key on the replica's lease, a
// Release (or a delete) removes it, in the same transaction; a write by
// another name that would enter or leave PROCESSING is refused; when the lease goes, another
// backend's sweeper settles the orphan FAILED, once, and the owner's late
// settle loses.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "server/store/catalog_key.h"
#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_backend.h"
#include "server/store/etcd/etcd_notification_request_store.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"
#include "tests/server/store/etcd/request_records.h"
#include "tests/support/etcd_cluster.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

using store::NotificationRequestRecord;
using store::RequestEvent;
using store::etcd::ClaimKey;
using store::etcd::EtcdBackend;
using store::etcd::EtcdClient;
using store::etcd::EtcdOptions;
using store::etcd::OpenIndexKey;
using Request = v1::BackInStockNotificationRequest;

constexpr char kSite[] = "shop-claims";

// The request once it is no longer PROCESSING (a sweeper settled it), or as
// it still is after 30 s.
absl::StatusOr<store::RecordPtr> AwaitNotProcessing(store::NotificationRequestStore& store,
                                                    const std::string& id) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (;;) {
    absl::StatusOr<store::RecordPtr> record = store.Get(kSite, id);
    // NOT_FOUND: this replica's cache has not seen the request yet (it was
    // written through another one).
    const bool not_seen_yet = absl::IsNotFound(record.status());
    if ((!record.ok() && !not_seen_yet) ||
        (record.ok() && (*record)->request.status() != Request::PROCESSING) ||
        absl::Now() > deadline) {
      return record;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class EtcdClaimKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
    auto cluster = EtcdCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    for (int i = 0; i < 3; ++i) options_.endpoints.push_back(cluster_->ClientAddress(i));
    options_.lease_ttl = absl::Seconds(2);
    auto client = EtcdClient::Connect(options_);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  // The key as etcd holds it now (linearizable read), or nullopt.
  std::optional<mvccpb::KeyValue> Read(const std::string& key) {
    auto read = client_->Range(store::etcd::GetRequest(key));
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->kvs().empty()) return std::nullopt;
    return read->kvs(0);
  }

  std::string IndexKeyOf(const NotificationRequestRecord& record) {
    return OpenIndexKey(kSite, store::OpenRequestKeyOf(record.request));
  }

  std::unique_ptr<EtcdCluster> cluster_;
  EtcdOptions options_;
  std::unique_ptr<EtcdClient> client_;
};

TEST_F(EtcdClaimKeysTest, ClaimKeyExistsExactlyWhileTheRequestIsProcessing) {
  auto backend = EtcdBackend::Open(options_);
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto store = (*backend)->NewRequestStore();
  auto lease = (*backend)->lease()->Current();
  ASSERT_TRUE(lease.ok()) << lease.status();

  ASSERT_TRUE(store->Create(kSite, NewRecord("r1", "r1@e.co"), 100).ok());
  EXPECT_FALSE(Read(ClaimKey(kSite, "r1")));
  EXPECT_TRUE(Read(IndexKeyOf(NewRecord("r1", "r1@e.co"))));

  // The store writes a claim key only for a write named Claim: entering
  // PROCESSING by any other name is refused, and nothing is written.
  const std::optional<mvccpb::KeyValue> received = Read(store::etcd::RequestKey(kSite, "r1"));
  ASSERT_TRUE(received);
  const absl::Status unnamed =
      store->CompareAndSwap(kSite, 1, Next(*store->Get(kSite, "r1"), Request::PROCESSING));
  EXPECT_EQ(unnamed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::ReasonOf(unnamed), "MISNAMED_STORE_WRITE");
  EXPECT_EQ(store->Release(kSite, 1, Next(*store->Get(kSite, "r1"), Request::FAILED)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Claim(kSite, 1, Next(*store->Get(kSite, "r1"), Request::FAILED)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store->Claim(kSite, 7, Next(*store->Get(kSite, "r1"), Request::PROCESSING)).code(),
            absl::StatusCode::kInvalidArgument)
      << "the next revision does not follow";
  EXPECT_EQ(Read(store::etcd::RequestKey(kSite, "r1"))->mod_revision(), received->mod_revision());
  EXPECT_FALSE(Read(ClaimKey(kSite, "r1")));

  ASSERT_TRUE(store->Claim(kSite, 1, Next(*store->Get(kSite, "r1"), Request::PROCESSING)).ok());
  auto claim = Read(ClaimKey(kSite, "r1"));
  ASSERT_TRUE(claim);
  EXPECT_EQ(claim->lease(), *lease);
  EXPECT_FALSE(claim->value().empty());
  EXPECT_TRUE((*backend)->cache()->HasClaim(kSite, "r1"));
  // Claimed and its record written in one transaction.
  auto record = Read(store::etcd::RequestKey(kSite, "r1"));
  ASSERT_TRUE(record);
  EXPECT_EQ(claim->mod_revision(), record->mod_revision());
  // Leaving PROCESSING is a Release: by any other name it is refused, and
  // the claim key stays where it is.
  EXPECT_EQ(
      store->CompareAndSwap(kSite, 2, Next(*store->Get(kSite, "r1"), Request::NOTIFICATION_SENT))
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Claim(kSite, 2, Next(*store->Get(kSite, "r1"), Request::PROCESSING)).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Read(store::etcd::RequestKey(kSite, "r1"))->mod_revision(), record->mod_revision());
  EXPECT_EQ(Read(ClaimKey(kSite, "r1"))->mod_revision(), claim->mod_revision());
  // A delivery attempt recorded keeps the claim.
  ASSERT_TRUE(
      store->CompareAndSwap(kSite, 2, Next(*store->Get(kSite, "r1"), Request::PROCESSING)).ok());
  EXPECT_EQ(Read(ClaimKey(kSite, "r1"))->mod_revision(), claim->mod_revision());

  ASSERT_TRUE(
      store->Release(kSite, 3, Next(*store->Get(kSite, "r1"), Request::NOTIFICATION_SENT)).ok());
  EXPECT_FALSE(Read(ClaimKey(kSite, "r1")));
  EXPECT_FALSE((*backend)->cache()->HasClaim(kSite, "r1"));
  EXPECT_FALSE(Read(IndexKeyOf(NewRecord("r1", "r1@e.co"))));

  // Deleting a PROCESSING request releases its claim too.
  ASSERT_TRUE(store->Create(kSite, NewRecord("r2", "r2@e.co"), 100).ok());
  ASSERT_TRUE(store->Claim(kSite, 1, Next(*store->Get(kSite, "r2"), Request::PROCESSING)).ok());
  EXPECT_TRUE(Read(ClaimKey(kSite, "r2")));
  ASSERT_TRUE(store->Delete(kSite, "r2", 2).ok());
  EXPECT_FALSE(Read(ClaimKey(kSite, "r2")));
  EXPECT_FALSE((*backend)->cache()->HasClaim(kSite, "r2"));
  // Nothing was orphaned along the way.
  EXPECT_EQ((*backend)->sweeper()->settled(), 0);
}

TEST_F(EtcdClaimKeysTest, AClaimWhoseLeaseIsGoneIsSettledFailedOnceAndTheOwnerLoses) {
  auto owner = EtcdBackend::Open(options_);
  ASSERT_TRUE(owner.ok()) << owner.status();
  auto other = EtcdBackend::Open(options_);
  ASSERT_TRUE(other.ok()) << other.status();
  auto owner_store = (*owner)->NewRequestStore();
  auto other_store = (*other)->NewRequestStore();
  // Sweeping starts once the stores know where adopted emails go; this
  // request has none queued (written before emails were), so it is failed.
  ASSERT_TRUE(owner_store->ResumeDeliveries([](const std::string&, store::RecordPtr) {}).ok());
  ASSERT_TRUE(other_store->ResumeDeliveries([](const std::string&, store::RecordPtr) {}).ok());

  absl::Mutex mu;
  std::vector<int64_t> updates;  // revisions of r1 in UPDATED events on `other`
  auto subscription = other_store->Watch(kSite, [&](const RequestEvent& event) {
    absl::MutexLock lock(&mu);
    if (event.type == RequestEvent::Type::kUpdated) updates.push_back(event.record->revision);
  });

  ASSERT_TRUE(owner_store->Create(kSite, NewRecord("r1", "r1@e.co"), 100).ok());
  ASSERT_TRUE(
      owner_store->Claim(kSite, 1, Next(*owner_store->Get(kSite, "r1"), Request::PROCESSING)).ok());
  // The owner's lease goes as it would if the owner died (etcd deletes its
  // keys); revoking does that now instead of after the TTL.
  auto lease = (*owner)->lease()->Current();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(client_->LeaseRevoke(*lease).ok());

  absl::StatusOr<store::RecordPtr> settled = AwaitNotProcessing(*other_store, "r1");
  ASSERT_TRUE(settled.ok()) << settled.status();
  ASSERT_EQ((*settled)->request.status(), Request::FAILED);
  EXPECT_TRUE((*settled)->request.auto_notified().value());
  EXPECT_EQ((*settled)->revision, 3);
  // Settled once, by one of the two sweepers, and streamed as an update. The
  // sweeper counts after its own cache caught up, which may be after the
  // other replica's cache showed FAILED: wait for the count, then check that
  // it is exactly one.
  auto sweeps = [&] { return (*owner)->sweeper()->settled() + (*other)->sweeper()->settled(); };
  const absl::Time counted_by = absl::Now() + absl::Seconds(30);
  while (sweeps() == 0 && absl::Now() < counted_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(sweeps(), 1);
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(updates, (std::vector<int64_t>{2, 3}));
  }
  EXPECT_FALSE(Read(IndexKeyOf(NewRecord("r1", "r1@e.co"))));

  // The owner settling late loses: the request is no longer at revision 2.
  NotificationRequestRecord sent = **settled;
  sent.revision = 3;
  sent.request.set_status(Request::NOTIFICATION_SENT);
  EXPECT_EQ(owner_store->Release(kSite, 2, sent).code(), absl::StatusCode::kAborted);

  // The item and email are free again.
  auto again = other_store->Create(kSite, NewRecord("r2", "r1@e.co"), 100);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->outcome, store::CreateResult::Outcome::kCreated);
  subscription.reset();
}

// A dead replica's queued email is taken over by exactly one live replica:
// claimed on its lease, revision bumped (the former owner's writes fail), and
// handed to its delivery queue with the email as stored.
TEST_F(EtcdClaimKeysTest, AQueuedEmailWhoseLeaseIsGoneIsAdoptedByOneReplica) {
  // Declared before the backends: their sweepers may call `collect` until
  // they are destroyed.
  absl::Mutex mu;
  std::vector<std::pair<int, store::RecordPtr>> adopted;  // (replica, record)
  auto owner = EtcdBackend::Open(options_);
  ASSERT_TRUE(owner.ok()) << owner.status();
  auto first = EtcdBackend::Open(options_);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = EtcdBackend::Open(options_);
  ASSERT_TRUE(second.ok()) << second.status();
  auto owner_store = (*owner)->NewRequestStore();
  auto first_store = (*first)->NewRequestStore();
  auto second_store = (*second)->NewRequestStore();
  auto collect = [&](int replica) {
    return [&, replica](const std::string& site, store::RecordPtr record) {
      EXPECT_EQ(site, kSite);
      absl::MutexLock lock(&mu);
      adopted.emplace_back(replica, std::move(record));
    };
  };
  ASSERT_TRUE(first_store->ResumeDeliveries(collect(1)).ok());
  ASSERT_TRUE(second_store->ResumeDeliveries(collect(2)).ok());

  ASSERT_TRUE(owner_store->Create(kSite, NewRecord("r1", "r1@e.co"), 100).ok());
  NotificationRequestRecord queued = Next(*owner_store->Get(kSite, "r1"), Request::PROCESSING);
  auto email = std::make_shared<store::QueuedEmail>();
  email->mutable_item_details()->set_name("Shirt");
  email->mutable_state()->set_attempts(1);
  queued.delivery = email;
  ASSERT_TRUE(owner_store->Claim(kSite, 1, queued).ok());
  auto lease = (*owner)->lease()->Current();
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(client_->LeaseRevoke(*lease).ok());

  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return !adopted.empty();
  }));
  int replica = 0;
  store::RecordPtr record;
  {
    absl::MutexLock lock(&mu);
    replica = adopted[0].first;
    record = adopted[0].second;
  }
  EXPECT_EQ(record->revision, 3);
  EXPECT_EQ(record->request.status(), Request::PROCESSING);
  ASSERT_NE(record->delivery, nullptr);
  EXPECT_EQ(record->delivery->item_details().name(), "Shirt");
  EXPECT_EQ(record->delivery->state().attempts(), 1);
  // Claimed on the adopter's lease.
  auto claim = Read(ClaimKey(kSite, "r1"));
  ASSERT_TRUE(claim);
  auto adopter_lease = (replica == 1 ? *first : *second)->lease()->Current();
  ASSERT_TRUE(adopter_lease.ok());
  EXPECT_EQ(claim->lease(), *adopter_lease);
  // The former owner, late, loses.
  NotificationRequestRecord sent = queued;
  sent.revision = 3;
  sent.request.set_status(Request::NOTIFICATION_SENT);
  EXPECT_EQ(owner_store->Release(kSite, 2, sent).code(), absl::StatusCode::kAborted);
  // Adopted once: the other sweeper's transaction lost. Both caches have
  // caught up with the claim once they show revision 3.
  ASSERT_TRUE(Eventually([&] {
    return (*first_store->Get(kSite, "r1"))->revision == 3 &&
           (*second_store->Get(kSite, "r1"))->revision == 3;
  }));
  EXPECT_EQ((*first)->sweeper()->adopted() + (*second)->sweeper()->adopted(), 1);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(adopted.size(), 1u);
}

TEST_F(EtcdClaimKeysTest, AReleaseThatCannotBeWrittenAbandonsTheLeaseSoTheRequestIsNotStuck) {
  auto backend = EtcdBackend::Open(options_);
  ASSERT_TRUE(backend.ok()) << backend.status();
  auto store = (*backend)->NewRequestStore();
  ASSERT_TRUE(store->ResumeDeliveries([](const std::string&, store::RecordPtr) {}).ok());
  auto first_lease = (*backend)->lease()->Current();
  ASSERT_TRUE(first_lease.ok()) << first_lease.status();
  ASSERT_TRUE(store->Create(kSite, NewRecord("r1", "r1@e.co"), 100).ok());
  ASSERT_TRUE(store->Claim(kSite, 1, Next(*store->Get(kSite, "r1"), Request::PROCESSING)).ok());

  // The report's settle finds etcd unreachable for its whole budget: every
  // Txn times out without applying (the read-back finds nothing).
  store::etcd::Committer unreachable(
      client_.get(), (*backend)->cache(), /*txns_in_flight=*/0, absl::Seconds(1),
      [](const etcdserverpb::TxnRequest&) -> absl::StatusOr<etcdserverpb::TxnResponse> {
        return absl::DeadlineExceededError("etcd txn: Deadline Exceeded (injected)");
      });
  store::etcd::EtcdNotificationRequestStore settling(
      client_.get(), (*backend)->cache(), &unreachable, (*backend)->lease(), (*backend)->sweeper());
  const absl::Status settled =
      settling.Release(kSite, 2, Next(*store->Get(kSite, "r1"), Request::NOTIFICATION_SENT));
  ASSERT_FALSE(settled.ok());
  EXPECT_EQ(errors::ReasonOf(settled), "STORAGE_UNAVAILABLE");

  // The claim key was on a lease this live replica renews: left alone, the
  // request would stay PROCESSING for as long as the process runs. The lease
  // is abandoned instead, so it expires and the sweeper settles the request.
  absl::StatusOr<store::RecordPtr> now = AwaitNotProcessing(*store, "r1");
  ASSERT_TRUE(now.ok()) << now.status();
  ASSERT_EQ((*now)->request.status(), Request::FAILED);
  EXPECT_TRUE((*now)->request.auto_notified().value());
  EXPECT_FALSE(Read(ClaimKey(kSite, "r1")));
  // New claims go on a new lease.
  auto second_lease = (*backend)->lease()->Current();
  ASSERT_TRUE(second_lease.ok()) << second_lease.status();
  EXPECT_NE(*second_lease, *first_lease);
}

}  // namespace
}  // namespace backinstock::testing
