// The TxnBatcher against a real etcd: a batch of nested transactions is
// evaluated member by member (each its own compares, its own failure-branch
// reads), applied at one revision, and a member etcd refuses (a put on a
// lease that does not exist) costs only that member its write.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/txn.h"
#include "server/store/etcd/txn_batcher.h"
#include "tests/support/etcd_cluster.h"

namespace backinstock::testing {
namespace {

using etcdserverpb::TxnRequest;
using etcdserverpb::TxnResponse;
using store::etcd::EtcdClient;
using store::etcd::TxnBatcher;

constexpr int64_t kNoSuchLease = 0x7e57;

// Creates `key` unless it exists; the failure branch reads what is there.
TxnRequest Create(const std::string& key, int64_t lease = 0) {
  TxnRequest txn;
  store::etcd::GuardAbsent(txn, key);
  store::etcd::AddPut(txn.add_success(), key, "new " + key);
  if (lease != 0) txn.mutable_success(0)->mutable_request_put()->set_lease(lease);
  store::etcd::AddGet(txn.add_failure(), key);
  return txn;
}

class TxnBatcherEtcdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
    auto cluster = EtcdCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    store::etcd::EtcdOptions options;
    options.endpoints = {cluster_->ClientAddress(0)};
    auto client = EtcdClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
    TxnBatcher::Limits limits;
    limits.max_in_flight = 1;
    batcher_ = std::make_unique<TxnBatcher>(
        [this](const TxnRequest& txn) {
          absl::StatusOr<TxnResponse> response = client_->Txn(txn);
          absl::MutexLock lock(&mu_);
          if (++calls_ == 1) mu_.Await(absl::Condition(&released_));
          return response;
        },
        limits);
  }

  // Holds one write in flight, queues `txns` behind it from threads of their
  // own, then lets them all go: they reach etcd as one batch.
  std::vector<absl::StatusOr<TxnResponse>> SendTogether(const std::vector<TxnRequest>& txns) {
    std::thread plug([this] { EXPECT_TRUE(batcher_->Commit(Create("/test/plug")).ok()); });
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](int* calls) { return *calls == 1; }, &calls_));
    }
    std::vector<absl::StatusOr<TxnResponse>> answers(txns.size(), absl::UnknownError("unset"));
    std::vector<std::thread> senders;
    for (size_t i = 0; i < txns.size(); ++i) {
      senders.emplace_back([&, i] { answers[i] = batcher_->Commit(txns[i]); });
    }
    while (batcher_->waiting() < txns.size()) std::this_thread::yield();
    {
      absl::MutexLock lock(&mu_);
      released_ = true;
    }
    plug.join();
    for (std::thread& sender : senders) sender.join();
    return answers;
  }

  std::string Value(const std::string& key) {
    auto read = client_->Range(store::etcd::GetRequest(key));
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() && !read->kvs().empty() ? read->kvs(0).value() : "";
  }

  std::unique_ptr<EtcdCluster> cluster_;
  std::unique_ptr<EtcdClient> client_;
  std::unique_ptr<TxnBatcher> batcher_;
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  bool released_ ABSL_GUARDED_BY(mu_) = false;
};

TEST_F(TxnBatcherEtcdTest, EachMemberIsEvaluatedOnItsOwnAtOneRevision) {
  ASSERT_TRUE(client_->Txn(Create("/test/taken")).ok());
  std::vector<absl::StatusOr<TxnResponse>> answers =
      SendTogether({Create("/test/a"), Create("/test/taken"), Create("/test/b")});
  for (const auto& answer : answers) ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(batcher_->stats().batched, 3u);

  EXPECT_TRUE(answers[0]->succeeded());
  EXPECT_TRUE(answers[2]->succeeded());
  EXPECT_EQ(Value("/test/a"), "new /test/a");
  EXPECT_EQ(Value("/test/b"), "new /test/b");
  // The loser's failure branch read the value in place, as alone it would.
  ASSERT_FALSE(answers[1]->succeeded());
  ASSERT_EQ(answers[1]->responses_size(), 1);
  ASSERT_EQ(answers[1]->responses(0).response_range().kvs_size(), 1);
  EXPECT_EQ(answers[1]->responses(0).response_range().kvs(0).value(), "new /test/taken");
  // One revision for the batch, carried in every member's header.
  auto a = client_->Range(store::etcd::GetRequest("/test/a"));
  ASSERT_TRUE(a.ok() && a->kvs_size() == 1);
  for (const auto& answer : answers)
    EXPECT_EQ(answer->header().revision(), a->kvs(0).mod_revision());
}

TEST_F(TxnBatcherEtcdTest, AMemberEtcdRefusesCostsOnlyItsOwnWrite) {
  std::vector<absl::StatusOr<TxnResponse>> answers =
      SendTogether({Create("/test/a"), Create("/test/leased", kNoSuchLease), Create("/test/b")});
  ASSERT_TRUE(answers[0].ok()) << answers[0].status();
  EXPECT_TRUE(EtcdClient::Rejected(answers[1].status())) << answers[1].status();
  ASSERT_TRUE(answers[2].ok()) << answers[2].status();
  EXPECT_EQ(Value("/test/a"), "new /test/a");
  EXPECT_EQ(Value("/test/leased"), "");
  EXPECT_EQ(Value("/test/b"), "new /test/b");
  EXPECT_EQ(batcher_->stats().fallbacks, 1u);
}

}  // namespace
}  // namespace backinstock::testing
