// The TxnBatcher against a scripted etcd: when transactions are sent alone
// and when they are grouped, who ends up in a batch, and what each caller
// gets back when the batch succeeds, is refused, or has an unknown outcome.
// (txn_batcher_etcd_test.cc shows a real etcd evaluates the batches.)
#include "server/store/etcd/txn_batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/store/etcd/txn.h"

namespace backinstock::testing {
namespace {

using etcdserverpb::TxnRequest;
using etcdserverpb::TxnResponse;
using store::etcd::TxnBatcher;

// A guarded write of `key`; a key starting with "lose" loses its compare,
// one starting with "bad" is refused by the fake etcd outright.
TxnRequest Write(const std::string& key) {
  TxnRequest txn;
  store::etcd::GuardAbsent(txn, key);
  store::etcd::AddPut(txn.add_success(), key, "value of " + key);
  store::etcd::AddGet(txn.add_failure(), key);
  return txn;
}

bool IsBatch(const TxnRequest& txn) {
  return txn.compare_size() == 0 && txn.success_size() > 0 &&
         txn.success(0).request_case() == etcdserverpb::RequestOp::kRequestTxn;
}

// Answers like etcd would, counting revisions, and can hold the first call
// until released (so that later ones queue behind it) or fail a batch.
class ScriptedEtcd {
 public:
  absl::StatusOr<TxnResponse> Send(const TxnRequest& txn) {
    absl::MutexLock lock(&mu_);
    received_.push_back(txn);
    if (std::exchange(hold_next_, false)) {
      holding_ = true;
      mu_.Await(absl::Condition(&released_));
      holding_ = false;
    }
    if (IsBatch(txn) && !batch_error_.ok()) return batch_error_;
    std::vector<const TxnRequest*> members;
    if (IsBatch(txn)) {
      for (const auto& op : txn.success()) members.push_back(&op.request_txn());
    } else {
      members.push_back(&txn);
    }
    for (const TxnRequest* member : members) {
      if (absl::StartsWith(member->compare(0).key(), "bad")) {
        return absl::NotFoundError("etcdserver: requested lease not found");
      }
    }
    TxnResponse response;
    response.mutable_header()->set_revision(++revision_);
    std::vector<TxnResponse> answers;
    for (const TxnRequest* member : members) {
      TxnResponse answer;
      answer.set_succeeded(!absl::StartsWith(member->compare(0).key(), "lose"));
      answer.add_responses();  // the put's or the get's response
      answers.push_back(answer);
    }
    if (!IsBatch(txn)) {
      answers[0].mutable_header()->set_revision(revision_);
      return answers[0];
    }
    response.set_succeeded(true);
    for (TxnResponse& answer : answers) {
      *response.add_responses()->mutable_response_txn() = std::move(answer);
    }
    return response;
  }

  // The next call waits in etcd until Release.
  void HoldNext() {
    absl::MutexLock lock(&mu_);
    hold_next_ = true;
    released_ = false;
  }
  void AwaitHolding() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&holding_));
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    released_ = true;
  }
  void FailBatchesWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    batch_error_ = std::move(status);
  }
  std::vector<TxnRequest> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }

 private:
  absl::Mutex mu_;
  bool hold_next_ = false;
  bool holding_ = false;
  bool released_ = false;
  std::vector<TxnRequest> received_;
  int64_t revision_ = 100;
  absl::Status batch_error_;
};

// Sends `plug` first and holds it in flight; then sends each of `keys` from
// a thread of its own, waits until all of them queue, and releases the plug.
// Returns each key's answer, in the order of `keys`.
std::vector<absl::StatusOr<TxnResponse>> SendBehindAPlug(ScriptedEtcd& etcd, TxnBatcher& batcher,
                                                         const std::vector<std::string>& keys) {
  etcd.HoldNext();
  std::thread plug([&] { EXPECT_TRUE(batcher.Commit(Write("plug")).ok()); });
  etcd.AwaitHolding();
  std::vector<absl::StatusOr<TxnResponse>> answers(keys.size(), absl::UnknownError("unset"));
  std::vector<std::thread> senders;
  for (size_t i = 0; i < keys.size(); ++i) {
    senders.emplace_back([&, i] { answers[i] = batcher.Commit(Write(keys[i])); });
  }
  while (batcher.waiting() < keys.size()) std::this_thread::yield();
  etcd.Release();
  plug.join();
  for (std::thread& sender : senders) sender.join();
  return answers;
}

TxnBatcher MakeBatcher(ScriptedEtcd& etcd, TxnBatcher::Limits limits = {}) {
  limits.max_in_flight = 1;
  return TxnBatcher([&etcd](const TxnRequest& txn) { return etcd.Send(txn); }, limits);
}

TEST(TxnBatcher, AloneATransactionIsSentUnchanged) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  for (const std::string key : {"a", "lose-b"}) {
    absl::StatusOr<TxnResponse> answer = batcher.Commit(Write(key));
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->succeeded(), key == "a");
  }
  std::vector<TxnRequest> received = etcd.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].SerializeAsString(), Write("a").SerializeAsString());
  EXPECT_EQ(batcher.stats().batched, 0u);
}

TEST(TxnBatcher, QueuedTransactionsGoTogetherAndEachGetsItsOwnAnswer) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  const std::vector<std::string> keys = {"a", "lose-b", "c", "lose-d", "e"};
  std::vector<absl::StatusOr<TxnResponse>> answers = SendBehindAPlug(etcd, batcher, keys);

  std::vector<TxnRequest> received = etcd.received();
  ASSERT_EQ(received.size(), 2u) << "the plug, then one batch of all five";
  ASSERT_TRUE(IsBatch(received[1]));
  EXPECT_EQ(received[1].success_size(), 5);
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_TRUE(answers[i].ok()) << answers[i].status();
    EXPECT_EQ(answers[i]->succeeded(), !absl::StartsWith(keys[i], "lose")) << keys[i];
    EXPECT_EQ(answers[i]->header().revision(), 102)
        << "the batch's revision, from the outer header";
    EXPECT_EQ(answers[i]->responses_size(), 1);
  }
  EXPECT_EQ(batcher.stats().batched, 5u);
  EXPECT_EQ(batcher.stats().calls, 2u);
}

TEST(TxnBatcher, TransactionsOnACommonKeyNeverShareABatch) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  std::vector<absl::StatusOr<TxnResponse>> answers =
      SendBehindAPlug(etcd, batcher, {"same", "same", "other", "same"});
  for (const auto& answer : answers) ASSERT_TRUE(answer.ok()) << answer.status();

  std::vector<TxnRequest> received = etcd.received();
  ASSERT_EQ(received.size(), 4u) << "the plug, then three calls: each holds one write of \"same\"";
  for (size_t i = 1; i < received.size(); ++i) {
    int same = 0;
    if (IsBatch(received[i])) {
      for (const auto& op : received[i].success())
        same += op.request_txn().compare(0).key() == "same";
    } else {
      same += received[i].compare(0).key() == "same";
    }
    EXPECT_EQ(same, 1) << "call " << i;
  }
}

TEST(TxnBatcher, ARefusedBatchIsSentMemberByMemberSoOnlyTheCulpritFails) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  std::vector<absl::StatusOr<TxnResponse>> answers =
      SendBehindAPlug(etcd, batcher, {"a", "bad-lease", "c"});
  ASSERT_TRUE(answers[0].ok()) << answers[0].status();
  EXPECT_EQ(answers[1].status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(answers[2].ok()) << answers[2].status();
  EXPECT_EQ(etcd.received().size(), 5u) << "the plug, the refused batch, then three alone";
  EXPECT_EQ(batcher.stats().fallbacks, 1u);
}

TEST(TxnBatcher, AGroupRefusedForItsSizeMakesLaterGroupsSmaller) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  etcd.FailBatchesWith(
      absl::InvalidArgumentError("etcdserver: too many operations in txn request"));
  std::vector<std::string> keys;
  for (int i = 0; i < 6; ++i) keys.push_back(absl::StrCat("k", i));
  for (const auto& answer : SendBehindAPlug(etcd, batcher, keys)) ASSERT_TRUE(answer.ok());
  EXPECT_EQ(etcd.received().size(), 1u + 1u + 6u) << "the plug, the refused group, six alone";

  etcd.FailBatchesWith(absl::OkStatus());
  for (auto& key : keys) key += "-again";
  for (const auto& answer : SendBehindAPlug(etcd, batcher, keys)) ASSERT_TRUE(answer.ok());
  std::vector<TxnRequest> received = etcd.received();
  for (size_t i = 9; i < received.size(); ++i) {
    EXPECT_LE(IsBatch(received[i]) ? received[i].success_size() : 1, 3) << "half the refused 6";
  }
  EXPECT_EQ(received.size(), 9u + 2u) << "3 + 3";
}

TEST(TxnBatcher, AWriteStillQueuedAtItsDeadlineLeavesUnsent) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  etcd.HoldNext();
  std::thread plug([&] { EXPECT_TRUE(batcher.Commit(Write("plug")).ok()); });
  etcd.AwaitHolding();
  absl::StatusOr<TxnResponse> late =
      batcher.Commit(Write("late"), absl::Now() + absl::Milliseconds(50));
  EXPECT_TRUE(TxnBatcher::IsNotSent(late.status())) << late.status();
  EXPECT_EQ(batcher.waiting(), 0u);
  etcd.Release();
  plug.join();
  EXPECT_EQ(etcd.received().size(), 1u) << "only the plug reached etcd";
  EXPECT_TRUE(batcher.Commit(Write("next")).ok()) << "the queue still works";
}

TEST(TxnBatcher, AnUnknownOutcomeReachesEveryMember) {
  ScriptedEtcd etcd;
  TxnBatcher batcher = MakeBatcher(etcd);
  etcd.FailBatchesWith(absl::DeadlineExceededError("context deadline exceeded"));
  std::vector<absl::StatusOr<TxnResponse>> answers =
      SendBehindAPlug(etcd, batcher, {"a", "b", "c"});
  for (const auto& answer : answers) {
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kDeadlineExceeded);
  }
  EXPECT_EQ(etcd.received().size(), 2u) << "nothing is resent blindly: the committer reads back";
}

TEST(TxnBatcher, BatchesRespectTheirLimits) {
  ScriptedEtcd etcd;
  TxnBatcher::Limits limits;
  limits.max_batch = 3;
  TxnBatcher batcher = MakeBatcher(etcd, limits);
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back(absl::StrCat("k", i));
  for (const auto& answer : SendBehindAPlug(etcd, batcher, keys)) ASSERT_TRUE(answer.ok());
  std::vector<TxnRequest> received = etcd.received();
  ASSERT_EQ(received.size(), 4u) << "the plug, then 3 + 3 + 1";
  EXPECT_EQ(received[1].success_size(), 3);
  EXPECT_EQ(received[2].success_size(), 3);
  EXPECT_FALSE(IsBatch(received[3]));

  ScriptedEtcd small;
  limits.max_batch = 64;
  limits.max_bytes = 2 * Write("k0").ByteSizeLong();
  TxnBatcher bytes_bound = MakeBatcher(small, limits);
  for (const auto& answer : SendBehindAPlug(small, bytes_bound, keys)) ASSERT_TRUE(answer.ok());
  for (const TxnRequest& txn : small.received()) {
    EXPECT_LE(IsBatch(txn) ? txn.success_size() : 1, 2);
  }
}

// Many writers on a few keys: every caller gets the answer to its own
// transaction (the fake echoes the key in the member's response), no batch
// holds a key twice, and everything is answered exactly once.
TEST(TxnBatcher, ManyWritersOnFewKeysEachGetTheirOwnAnswer) {
  absl::Mutex mu;
  int duplicate_keys = 0;
  TxnBatcher* batcher_ptr = nullptr;
  auto echo = [&](const TxnRequest& txn) -> absl::StatusOr<TxnResponse> {
    // Linger a little while nobody queues, so that groups form (how many is
    // up to the scheduler; nothing below depends on it).
    for (int spin = 0; spin < 1000 && batcher_ptr->waiting() == 0; ++spin) {
      std::this_thread::yield();
    }
    std::vector<const TxnRequest*> members;
    if (IsBatch(txn)) {
      for (const auto& op : txn.success()) members.push_back(&op.request_txn());
    } else {
      members.push_back(&txn);
    }
    absl::flat_hash_set<std::string> keys;
    TxnResponse response;
    for (const TxnRequest* member : members) {
      const std::string& key = member->compare(0).key();
      TxnResponse answer;
      answer.set_succeeded(true);
      answer.add_responses()->mutable_response_range()->add_kvs()->set_key(key);
      {
        absl::MutexLock lock(&mu);
        if (!keys.insert(key).second) ++duplicate_keys;
      }
      if (!IsBatch(txn)) return answer;
      *response.add_responses()->mutable_response_txn() = std::move(answer);
    }
    return response;
  };
  TxnBatcher::Limits limits;
  limits.max_in_flight = 2;
  limits.max_batch = 5;
  TxnBatcher batcher(echo, limits);
  batcher_ptr = &batcher;
  constexpr int kThreads = 16;
  constexpr int kWrites = 100;
  std::atomic<int> wrong{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const std::string key = absl::StrCat("k", (t * 7 + i) % 5);
        absl::StatusOr<TxnResponse> answer = batcher.Commit(Write(key));
        if (!answer.ok() || answer->responses(0).response_range().kvs(0).key() != key) ++wrong;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_EQ(wrong.load(), 0);
  absl::MutexLock lock(&mu);
  EXPECT_EQ(duplicate_keys, 0);
  EXPECT_EQ(batcher.waiting(), 0u);
  const TxnBatcher::Stats stats = batcher.stats();
  EXPECT_LE(stats.calls, static_cast<uint64_t>(kThreads * kWrites));
  std::cout << "calls " << stats.calls << " for " << kThreads * kWrites << " writes, "
            << stats.batched << " of them grouped\n";
}

TEST(TxnBatcher, ARangeIsNeverBatched) {
  TxnRequest ranged = Write("a");
  ranged.mutable_failure(0)->mutable_request_range()->set_range_end("b");
  absl::flat_hash_set<std::string> keys;
  EXPECT_FALSE(store::etcd::KeysOfTxn(ranged, &keys));
  keys.clear();
  ASSERT_TRUE(store::etcd::KeysOfTxn(Write("a"), &keys));
  EXPECT_EQ(keys, absl::flat_hash_set<std::string>{"a"});
}

}  // namespace
}  // namespace backinstock::testing
