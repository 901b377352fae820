// The committer's answers when etcd calls fail, against a real cluster and a
// real replica cache, with the failures injected through its SendTxn seam:
// - an attempt of unknown outcome that applies only after the read-back, so
//   that the resend's compares fail on our own write: reported as success;
// - a resend that fails on someone else's write: still reported as a failure;
// - a write committed while this replica's watch cannot follow: UNAVAILABLE,
//   STORAGE_UNAVAILABLE, saying it was committed and at which revision.
#include "server/store/etcd/committer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"
#include "tests/support/etcd_cluster.h"

namespace backinstock::testing {
namespace {

using store::SettingsRecord;
using store::etcd::Committer;
using store::etcd::EtcdCache;
using store::etcd::EtcdClient;
using store::etcd::EtcdOptions;
using store::etcd::SettingsKey;

std::unique_ptr<EtcdClient> Connect(std::vector<std::string> endpoints) {
  EtcdOptions options;
  options.endpoints = std::move(endpoints);
  auto client = EtcdClient::Connect(options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

// A site's first settings write, guarded on the key being absent (so sending
// it twice fails the second time), with `writer`'s nonce in its value.
etcdserverpb::TxnRequest FirstSettingsWrite(const std::string& site, const std::string& writer) {
  SettingsRecord record;
  record.revision = 1;
  record.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", true});
  etcdserverpb::TxnRequest txn;
  store::etcd::GuardAbsent(txn, SettingsKey(site));
  store::etcd::AddPut(txn.add_success(), SettingsKey(site),
                      store::etcd::EncodeSettings(record, writer));
  return txn;
}

// The key's mod_revision in etcd (0: absent).
int64_t ModRevision(const EtcdClient& client, const std::string& key) {
  auto read = client.Range(store::etcd::GetRequest(key));
  EXPECT_TRUE(read.ok()) << read.status();
  return read.ok() && !read->kvs().empty() ? read->kvs(0).mod_revision() : 0;
}

class CommitterTest : public ::testing::Test {
 protected:
  std::vector<std::string> AllMembers() const {
    std::vector<std::string> members;
    for (int i = 0; i < cluster_->size(); ++i) members.push_back(cluster_->ClientAddress(i));
    return members;
  }

  // A client of every member and a replica cache over it (the tests that
  // inject failures only through the committer's seam).
  void ConnectAll() {
    client_ = Connect(AllMembers());
    ASSERT_NE(client_, nullptr);
    auto cache = EtcdCache::Start(client_.get(), absl::Seconds(30));
    ASSERT_TRUE(cache.ok()) << cache.status();
    cache_ = *std::move(cache);
  }

  void SetUp() override {
    ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
    auto cluster = EtcdCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<EtcdClient> client_;  // after ConnectAll
  std::unique_ptr<EtcdCache> cache_;
};

TEST_F(CommitterTest, ResendRefusedBecauseTheFirstAttemptAppliedLateIsSuccess) {
  ASSERT_NO_FATAL_FAILURE(ConnectAll());
  EtcdClient* client = client_.get();
  int attempts = 0;
  // Attempt 1 loses its response (and has not applied yet when the committer
  // reads back). Before attempt 2 arrives, attempt 1 applies after all: the
  // resend's guard (key absent) fails on our own write.
  auto send =
      [&](const etcdserverpb::TxnRequest& txn) -> absl::StatusOr<etcdserverpb::TxnResponse> {
    if (++attempts == 1) return absl::DeadlineExceededError("etcd txn: Deadline Exceeded");
    auto late = client->Txn(txn);
    if (!late.ok() || !late->succeeded()) return absl::InternalError("late apply failed");
    return client->Txn(txn);
  };
  Committer committer(client, cache_.get(), /*txns_in_flight=*/0, absl::Seconds(8), send);
  const std::string writer = committer.NewWriter();
  auto outcome = committer.Commit(FirstSettingsWrite("shop-late", writer), writer);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(attempts, 2);
  EXPECT_TRUE(outcome->succeeded) << "the resend failed on our own write and was reported failed";
  EXPECT_EQ(outcome->revision, ModRevision(*client, SettingsKey("shop-late")));
  // Read-your-writes holds: the cache has the write.
  EXPECT_GE(cache_->applied_revision(), outcome->revision);
}

// Read-your-writes waits for the event of a write's own revision, which only
// a write that puts something makes: one that does not is refused unsent.
TEST_F(CommitterTest, AWriteWhoseSuccessBranchPutsNothingIsRefusedUnsent) {
  ASSERT_NO_FATAL_FAILURE(ConnectAll());
  int sent = 0;
  auto send = [&](const etcdserverpb::TxnRequest& txn) {
    ++sent;
    return client_->Txn(txn);
  };
  Committer committer(client_.get(), cache_.get(), /*txns_in_flight=*/0, absl::Seconds(8), send);
  etcdserverpb::TxnRequest txn;
  store::etcd::AddDelete(txn.add_success(), SettingsKey("shop-no-put"));
  auto outcome = committer.Commit(txn, committer.NewWriter());
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kInternal) << outcome.status();
  EXPECT_EQ(sent, 0);
}

TEST_F(CommitterTest, ResendRefusedBecauseOfAnotherWriteStaysAFailure) {
  ASSERT_NO_FATAL_FAILURE(ConnectAll());
  EtcdClient* client = client_.get();
  int attempts = 0;
  Committer* committer_ptr = nullptr;
  // Attempt 1 loses its response and never applies; another writer takes
  // the key before the resend.
  auto send =
      [&](const etcdserverpb::TxnRequest& txn) -> absl::StatusOr<etcdserverpb::TxnResponse> {
    if (++attempts == 1) return absl::DeadlineExceededError("etcd txn: Deadline Exceeded");
    const std::string other = committer_ptr->NewWriter();
    auto theirs = client->Txn(FirstSettingsWrite("shop-taken", other));
    if (!theirs.ok() || !theirs->succeeded()) return absl::InternalError("other write failed");
    return client->Txn(txn);
  };
  Committer committer(client, cache_.get(), /*txns_in_flight=*/0, absl::Seconds(8), send);
  committer_ptr = &committer;
  const std::string writer = committer.NewWriter();
  auto outcome = committer.Commit(FirstSettingsWrite("shop-taken", writer), writer);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(attempts, 2);
  EXPECT_FALSE(outcome->succeeded);
  EXPECT_FALSE(outcome->response.succeeded());
}

TEST_F(CommitterTest, AGroupWhoseAnswerIsLostIsResolvedWriteByWrite) {
  ASSERT_NO_FATAL_FAILURE(ConnectAll());
  EtcdClient* client = client_.get();
  ASSERT_TRUE(client->Txn(FirstSettingsWrite("shop-g-taken", "someone-else")).ok());

  // The first call (the plug) waits until the others queue behind it; the
  // group that follows applies in etcd, but its answer is lost.
  absl::Mutex mu;
  int calls = 0;
  bool released = false;
  auto send =
      [&](const etcdserverpb::TxnRequest& txn) -> absl::StatusOr<etcdserverpb::TxnResponse> {
    auto response = client->Txn(txn);
    absl::MutexLock lock(&mu);
    ++calls;
    if (calls == 1) mu.Await(absl::Condition(&released));
    if (calls == 2) {
      EXPECT_EQ(txn.success_size(), 3) << "the three queued writes, as one group";
      EXPECT_TRUE(response.ok()) << response.status();
      return absl::DeadlineExceededError("etcd txn: Deadline Exceeded (injected after apply)");
    }
    return response;
  };
  Committer committer(client, cache_.get(), /*txns_in_flight=*/1, absl::Seconds(8), send);
  ASSERT_NE(committer.batcher(), nullptr);

  auto commit = [&](const std::string& site) {
    const std::string writer = committer.NewWriter();
    return committer.Commit(FirstSettingsWrite(site, writer), writer);
  };
  std::thread plug([&] { EXPECT_TRUE(commit("shop-g-plug").ok()); });
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == 1; }, &calls));
  }
  const std::vector<std::string> sites = {"shop-g-a", "shop-g-taken", "shop-g-b"};
  std::vector<absl::StatusOr<Committer::Outcome>> outcomes(sites.size(),
                                                           absl::UnknownError("unset"));
  std::vector<std::thread> writers;
  for (size_t i = 0; i < sites.size(); ++i) {
    writers.emplace_back([&, i] { outcomes[i] = commit(sites[i]); });
  }
  while (committer.batcher()->waiting() < sites.size()) std::this_thread::yield();
  {
    absl::MutexLock lock(&mu);
    released = true;
  }
  plug.join();
  for (std::thread& writer : writers) writer.join();

  // The two that applied are found by their nonces; the one that lost its
  // compare is sent again (it was not found) and refused again, as alone.
  for (size_t i : {0u, 2u}) {
    ASSERT_TRUE(outcomes[i].ok()) << sites[i] << ": " << outcomes[i].status();
    EXPECT_TRUE(outcomes[i]->succeeded) << sites[i];
    EXPECT_EQ(outcomes[i]->revision, ModRevision(*client, SettingsKey(sites[i])));
  }
  ASSERT_TRUE(outcomes[1].ok()) << outcomes[1].status();
  EXPECT_FALSE(outcomes[1]->succeeded);
  EXPECT_FALSE(outcomes[1]->response.succeeded());
}

TEST_F(CommitterTest, CommittedButNotSeenByThisReplicaIsUnavailableSayingCommitted) {
  // The cache follows one follower only; writes go through the two others.
  // Losing that follower keeps the quorum and its leader (no election).
  auto leader = cluster_->Leader();
  ASSERT_TRUE(leader.ok()) << leader.status();
  const int follower = (*leader + 1) % 3;
  const int other = (*leader + 2) % 3;
  auto watched = Connect({cluster_->ClientAddress(follower)});
  auto writes = Connect({cluster_->ClientAddress(*leader), cluster_->ClientAddress(other)});
  ASSERT_NE(watched, nullptr);
  ASSERT_NE(writes, nullptr);
  auto cache = EtcdCache::Start(watched.get(), absl::Seconds(30));
  ASSERT_TRUE(cache.ok()) << cache.status();
  // Without its member the cache cannot follow; the two others keep a quorum.
  ASSERT_TRUE(cluster_->Kill(follower).ok());
  Committer committer(writes.get(), cache->get(), /*txns_in_flight=*/0, absl::Seconds(1));
  const std::string writer = committer.NewWriter();
  auto outcome = committer.Commit(FirstSettingsWrite("shop-unseen", writer), writer);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::ReasonOf(outcome.status()), "STORAGE_UNAVAILABLE");
  const int64_t committed = ModRevision(*writes, SettingsKey("shop-unseen"));
  ASSERT_NE(committed, 0) << "the write should be in etcd";
  EXPECT_TRUE(absl::StrContains(outcome.status().message(), "WAS committed")) << outcome.status();
  auto info = errors::ErrorInfoOf(outcome.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("committed_revision"), absl::StrCat(committed));
  // Once its member is back, the cache catches up with the write.
  ASSERT_TRUE(cluster_->Restart(follower).ok());
  EXPECT_TRUE((*cache)->WaitForRevision(committed, absl::Seconds(30)));
}

TEST_F(CommitterTest, AWriteEtcdRefusesIsNotSentAgain) {
  ASSERT_NO_FATAL_FAILURE(ConnectAll());
  EtcdClient* client = client_.get();
  int attempts = 0;
  auto send = [&](const etcdserverpb::TxnRequest& txn) {
    ++attempts;
    return client->Txn(txn);
  };
  Committer committer(client, cache_.get(), /*txns_in_flight=*/0, absl::Seconds(8), send);
  const std::string writer = committer.NewWriter();
  // A put on a lease etcd does not have (as a claim on a lease that expired):
  // etcd's applier refuses it, so the outcome is known at once.
  etcdserverpb::TxnRequest txn = FirstSettingsWrite("shop-refused", writer);
  txn.mutable_success(0)->mutable_request_put()->set_lease(0x7e57);
  auto outcome = committer.Commit(txn, writer);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(attempts, 1) << "a refused write was sent again";
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::ReasonOf(outcome.status()), "STORAGE_UNAVAILABLE");
  EXPECT_TRUE(absl::StrContains(outcome.status().message(), "lease not found")) << outcome.status();
  EXPECT_EQ(ModRevision(*client, SettingsKey("shop-refused")), 0);
}

}  // namespace
}  // namespace backinstock::testing
