// Runs the guarded transactions of both etcd stores. Every value a transaction
// writes in its success branch carries a nonce unique to the write, so a
// transaction whose call failed (it may or may not have applied) is resolved by
// reading back: the cache catches up with a fence written after the failure
// (EtcdClient::WriteFence) and tells whether a value with that nonce was
// committed. Only a write known not to have applied is sent again; nothing is
// retried blindly. And since the first attempt may still apply after that
// read-back (a proposal in flight), a resend whose compares fail is checked the
// same way: failing on our own write is success.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_COMMITTER_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_COMMITTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.pb.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/txn_batcher.h"

namespace backinstock::store::etcd {

class Committer {
 public:
  // Called with false when a write could not reach a quorum, true when one
  // succeeds again.
  using HealthCallback = std::function<void(bool writable)>;
  // How a transaction reaches etcd: `client->Txn` unless given (tests inject
  // lost responses and late applies through it).
  using SendTxn =
      std::function<absl::StatusOr<etcdserverpb::TxnResponse>(const etcdserverpb::TxnRequest&)>;

  // Transactions reach etcd through `send` (client->Txn unless given), and
  // through a TxnBatcher that groups concurrent ones once `txns_in_flight`
  // are outstanding (0: no batcher, each sent alone).
  Committer(const EtcdClient* client, EtcdCache* cache, int txns_in_flight = 0,
            absl::Duration budget = absl::Seconds(8), SendTxn send = nullptr);

  void SetHealthCallback(HealthCallback callback) { on_health_ = std::move(callback); }

  // A fresh nonce for the values of one transaction.
  std::string NewWriter();

  struct Outcome {
    bool succeeded = false;  // the compares held and the success branch applied
    int64_t revision = 0;    // etcd revision of the response (or of the applied write)
    // The full response; empty when the outcome was learnt by reading back
    // (then `succeeded` is true).
    etcdserverpb::TxnResponse response;
  };

  // Sends `txn` whose success-branch values carry `writer`. On success, waits
  // (up to the budget) until the local cache has applied the write, so that
  // the caller's next read on this replica sees it (read-your-writes).
  // Errors are UNAVAILABLE with reason STORAGE_UNAVAILABLE: etcd cannot take
  // writes (no quorum; nothing applied), the outcome could not be learnt in
  // time (it may have applied), or the write WAS committed but this replica's
  // cache did not reach it in time (the message and the ErrorInfo's
  // `committed_revision` say so).
  absl::StatusOr<Outcome> Commit(const etcdserverpb::TxnRequest& txn, const std::string& writer);

  EtcdCache* cache() const { return cache_; }
  // Null when transactions are never grouped.
  const TxnBatcher* batcher() const { return batcher_.get(); }

  // Another sign that a quorum is back (the watch, which needs a leader, runs
  // again): the next failure is reported afresh. No callback.
  void AssumeWritable() { writable_.store(1); }
  bool writable() const { return writable_.load() == 1; }

 private:
  void SetWritable(bool writable);
  // One Commit's progress across its attempts, and its steps after a
  // failed one.
  struct Attempts;
  // The outcome of a write etcd acknowledged (succeeded or not), once the
  // cache has caught up with it.
  absl::StatusOr<Outcome> Acknowledged(etcdserverpb::TxnResponse response,
                                       const std::string& writer, Attempts& attempts);
  // Writes a fence (EtcdClient::WriteFence), asking again as a read-back
  // does (an election is waited out); its revision or the last error.
  absl::StatusOr<int64_t> Fence(Attempts& attempts);
  // After a refusal before apply (no leader): waits a short poll interval
  // and says to ask again while an election may still end within the
  // budget.
  bool ElectionMayEnd(Attempts& attempts);
  // After a failed read-back: whether (after a pause) to try it again.
  bool ReadBackAgain(const absl::Status& error, Attempts& attempts);
  // The error once no quorum was found for long enough.
  absl::Status NoQuorum(const Attempts& attempts);
  // After an attempt of unknown outcome (or a rejection following one):
  // writes a fence, lets the cache reach it and looks for `writer`'s nonce.
  // The answer when that settles the write (applied, or an error); nullopt
  // when it had not applied and may be sent again.
  std::optional<absl::StatusOr<Outcome>> ReadBack(const std::string& writer, bool rejected,
                                                  Attempts& attempts);

  const EtcdClient* client_;
  EtcdCache* cache_;
  absl::Duration budget_;
  std::unique_ptr<TxnBatcher> batcher_;
  SendTxn send_;
  std::string replica_;
  std::atomic<uint64_t> next_{1};
  std::atomic<int> writable_{1};
  HealthCallback on_health_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_COMMITTER_H_
