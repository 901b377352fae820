// Group commit for etcd: concurrent guarded transactions that touch disjoint
// keys go to etcd as ONE transaction whose success branch holds each of them
// as a nested transaction (etcd >= 3.3). etcd evaluates every nested
// transaction's own compares and answers each with its own TxnResponse, so a
// caller sees exactly what a transaction of its own would have returned, at
// the cost of one round trip, one raft entry and one apply for the batch.
//
// Batching only happens under load: while fewer than `max_in_flight` calls
// are outstanding a transaction is sent alone, unchanged. Once that many are
// in flight, the next ones queue, and whichever queued caller is first when a
// slot frees takes every queued transaction whose keys are disjoint from those
// already taken (up to the limits) and sends the batch for all of them.
//
// Why disjoint keys: the nested transactions' compares are all evaluated
// against the state before the batch, so two that touch a common key could
// not behave as if sent one after the other. (etcd also refuses a batch that
// writes one key twice.) A transaction that conflicts waits for a later batch.
//
// Failures: a call whose outcome is unknown (or refused for lack of a leader)
// answers every member with that status, and each caller's committer resolves
// its own write by its nonce as usual. A batch etcd refuses outright (one
// member names a lease that expired, or the group exceeds etcd's limits)
// applied nothing, so each member then sends its own transaction, from its
// own thread, and gets its own verdict; a refusal for size also halves the
// largest group from then on.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_TXN_BATCHER_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_TXN_BATCHER_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"

namespace backinstock::store::etcd {

class TxnBatcher {
 public:
  using Send =
      std::function<absl::StatusOr<etcdserverpb::TxnResponse>(const etcdserverpb::TxnRequest&)>;

  struct Limits {
    // Calls to etcd outstanding at once before transactions start to queue.
    int max_in_flight = 1;
    // Nested transactions per batch. etcd refuses more than --max-txn-ops
    // (128 by default) operations in a branch, nested ones included (a
    // nested transaction gets what its parent has left: 128 - 64 here).
    size_t max_batch = 64;
    // Serialized size of a batch; etcd refuses requests over
    // --max-request-bytes (1.5 MiB by default).
    size_t max_bytes = 512 * 1024;
  };

  TxnBatcher(Send send, Limits limits);

  // Sends `txn` (alone or in a batch) and returns its own response. Blocks
  // the calling thread; safe to call from many threads at once. A
  // transaction still queued at `deadline` leaves the queue unsent, with a
  // status IsNotSent recognises (it is known not to have applied).
  absl::StatusOr<etcdserverpb::TxnResponse> Commit(const etcdserverpb::TxnRequest& txn,
                                                   absl::Time deadline = absl::InfiniteFuture());
  static bool IsNotSent(const absl::Status& status);

  struct Stats {
    uint64_t calls = 0;      // requests sent to etcd
    uint64_t batched = 0;    // transactions that went in a batch of two or more
    uint64_t fallbacks = 0;  // refused batches resent member by member
  };
  Stats stats() const;
  // Transactions queued behind the ones in flight right now.
  size_t waiting() const;

 private:
  struct Pending;
  static constexpr char kNotSentPayload[] = "backinstock.store.etcd/not-sent";

  static absl::Status NotSent(absl::Duration waited);
  absl::StatusOr<etcdserverpb::TxnResponse> SendAlone(const etcdserverpb::TxnRequest& txn);

  // Pops the batch led by the queue's front (the caller), under mu_.
  std::vector<Pending*> TakeBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends a batch of two or more and answers each member.
  void SendBatch(const std::vector<Pending*>& batch);

  const Send send_;
  const Limits limits_;

  mutable absl::Mutex mu_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  // limits_.max_batch, lowered when etcd refuses a group for its size.
  size_t max_batch_ ABSL_GUARDED_BY(mu_);
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

// Adds every key a transaction compares, reads or writes to `keys`. False when
// it touches a range of keys: such a transaction is always sent alone.
bool KeysOfTxn(const etcdserverpb::TxnRequest& txn, absl::flat_hash_set<std::string>* keys);

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_TXN_BATCHER_H_
