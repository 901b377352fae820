#include "server/store/etcd/txn_batcher.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/logging/log.h"
#include "server/store/etcd/etcd_client.h"

namespace backinstock::store::etcd {

struct TxnBatcher::Pending {
  const etcdserverpb::TxnRequest* txn = nullptr;
  absl::flat_hash_set<std::string> keys;
  bool batchable = false;
  size_t bytes = 0;
  bool taken = false;       // under mu_: in a batch (left the queue)
  bool done = false;        // under mu_; `result` is final once it is set
  bool send_alone = false;  // set with `done`: the batch was refused, send on your own
  absl::StatusOr<etcdserverpb::TxnResponse> result = absl::UnknownError("not sent");
};

namespace {

bool AddKey(const std::string& key, const std::string& range_end,
            absl::flat_hash_set<std::string>* keys) {
  if (!range_end.empty()) return false;  // a range may meet any key
  keys->insert(key);
  return true;
}

bool KeysOfOps(const google::protobuf::RepeatedPtrField<etcdserverpb::RequestOp>& ops,
               absl::flat_hash_set<std::string>* keys) {
  for (const etcdserverpb::RequestOp& op : ops) {
    switch (op.request_case()) {
      case etcdserverpb::RequestOp::kRequestRange:
        if (!AddKey(op.request_range().key(), op.request_range().range_end(), keys)) return false;
        break;
      case etcdserverpb::RequestOp::kRequestPut:
        keys->insert(op.request_put().key());
        break;
      case etcdserverpb::RequestOp::kRequestDeleteRange:
        if (!AddKey(op.request_delete_range().key(), op.request_delete_range().range_end(), keys)) {
          return false;
        }
        break;
      case etcdserverpb::RequestOp::kRequestTxn:
        if (!KeysOfTxn(op.request_txn(), keys)) return false;
        break;
      case etcdserverpb::RequestOp::REQUEST_NOT_SET:
        break;
    }
  }
  return true;
}

// etcd's refusals of a group for its size (--max-txn-ops, --max-request-bytes).
bool RefusedForSize(const absl::Status& status) {
  return absl::StrContains(status.message(), "too many operations") ||
         absl::StrContains(status.message(), "request is too large");
}

bool Disjoint(const absl::flat_hash_set<std::string>& a,
              const absl::flat_hash_set<std::string>& b) {
  for (const std::string& key : b) {
    if (a.contains(key)) return false;
  }
  return true;
}

// Nothing could ever be sent with no call allowed in flight, nor grouped
// with groups of none.
TxnBatcher::Limits AtLeastOne(TxnBatcher::Limits limits) {
  limits.max_in_flight = std::max(1, limits.max_in_flight);
  limits.max_batch = std::max<size_t>(1, limits.max_batch);
  return limits;
}

}  // namespace

bool KeysOfTxn(const etcdserverpb::TxnRequest& txn, absl::flat_hash_set<std::string>* keys) {
  for (const etcdserverpb::Compare& compare : txn.compare()) {
    if (!AddKey(compare.key(), compare.range_end(), keys)) return false;
  }
  return KeysOfOps(txn.success(), keys) && KeysOfOps(txn.failure(), keys);
}

TxnBatcher::TxnBatcher(Send send, Limits limits)
    : send_(std::move(send)), limits_(AtLeastOne(limits)), max_batch_(limits_.max_batch) {}

absl::Status TxnBatcher::NotSent(absl::Duration waited) {
  absl::Status status = absl::UnavailableError(
      absl::StrCat("the etcd write was not sent: it waited ", absl::FormatDuration(waited),
                   ", its whole budget, behind other writes"));
  status.SetPayload(kNotSentPayload, absl::Cord("1"));
  return status;
}

bool TxnBatcher::IsNotSent(const absl::Status& status) {
  return status.GetPayload(kNotSentPayload).has_value();
}

absl::StatusOr<etcdserverpb::TxnResponse> TxnBatcher::SendAlone(
    const etcdserverpb::TxnRequest& txn) {
  {
    absl::MutexLock lock(&mu_);
    ++stats_.calls;
  }
  return send_(txn);
}

TxnBatcher::Stats TxnBatcher::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

size_t TxnBatcher::waiting() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

absl::StatusOr<etcdserverpb::TxnResponse> TxnBatcher::Commit(const etcdserverpb::TxnRequest& txn,
                                                             absl::Time deadline) {
  const absl::Time queued_at = absl::Now();
  Pending me;
  me.txn = &txn;
  me.batchable = KeysOfTxn(txn, &me.keys);
  me.bytes = txn.ByteSizeLong();

  std::vector<Pending*> batch;
  {
    absl::MutexLock lock(&mu_);
    queue_.push_back(&me);
    // Either a leader answered us, or we are first in line and may send. (A
    // member taken into a batch has left the queue: it waits for `done`. The
    // emptiness check matters: front() of an empty deque may still read the
    // slot that held us.)
    auto answered_or_first = [this, &me]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return me.done ||
             (!queue_.empty() && queue_.front() == &me && in_flight_ < limits_.max_in_flight);
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&answered_or_first), deadline) && !me.taken) {
      // Still queued, so never sent: known not to have applied.
      queue_.erase(std::find(queue_.begin(), queue_.end(), &me));
      return NotSent(absl::Now() - queued_at);
    }
    // Taken into a batch: its call is bounded by the client's own deadline.
    if (me.taken) mu_.Await(absl::Condition(&me.done));
    if (me.done) {
      if (!me.send_alone) return std::move(me.result);
    } else {
      batch = TakeBatch();
      ++in_flight_;
      ++stats_.calls;
      if (batch.size() > 1) stats_.batched += batch.size();
    }
  }
  if (batch.empty()) return SendAlone(txn);  // our batch was refused

  if (batch.size() == 1) {
    me.result = send_(txn);
  } else {
    SendBatch(batch);
  }

  {
    absl::MutexLock lock(&mu_);
    --in_flight_;
    for (Pending* pending : batch) pending->done = true;
  }
  if (me.send_alone) return SendAlone(txn);
  return std::move(me.result);
}

std::vector<TxnBatcher::Pending*> TxnBatcher::TakeBatch() {
  std::vector<Pending*> batch{queue_.front()};
  queue_.pop_front();
  Pending* lead = batch.front();
  lead->taken = true;
  if (!lead->batchable) return batch;

  absl::flat_hash_set<std::string> taken = lead->keys;
  size_t bytes = lead->bytes;
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < max_batch_;) {
    Pending* pending = *it;
    if (pending->batchable && bytes + pending->bytes <= limits_.max_bytes &&
        Disjoint(taken, pending->keys)) {
      taken.insert(pending->keys.begin(), pending->keys.end());
      bytes += pending->bytes;
      pending->taken = true;
      batch.push_back(pending);
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return batch;
}

void TxnBatcher::SendBatch(const std::vector<Pending*>& batch) {
  etcdserverpb::TxnRequest combined;  // no compares: the success branch always runs
  for (const Pending* pending : batch) {
    *combined.add_success()->mutable_request_txn() = *pending->txn;
  }
  absl::StatusOr<etcdserverpb::TxnResponse> response = send_(combined);

  if (!response.ok() && EtcdClient::Rejected(response.status())) {
    // Nothing applied; one member (or the batch's size) is at fault, so each
    // member sends its own transaction, from its own thread, at once.
    for (Pending* pending : batch) pending->send_alone = true;
    absl::MutexLock lock(&mu_);
    ++stats_.fallbacks;
    if (RefusedForSize(response.status()) && max_batch_ > 1) {
      // etcd runs with lower limits than ours: stay under them from now on.
      max_batch_ = std::max<size_t>(1, batch.size() / 2);
      logging::Warning("etcd refused a group of transactions for its size; grouping fewer",
                       {{"group", static_cast<int64_t>(batch.size())},
                        {"now_at_most", static_cast<int64_t>(max_batch_)},
                        {"error", std::string(response.status().message())}});
    }
    return;
  }
  if (!response.ok()) {
    // Unknown outcome, or no leader: the same for every member, each of
    // which is resolved by its own nonce.
    for (Pending* pending : batch) pending->result = response.status();
    return;
  }

  bool well_formed = response->responses_size() == static_cast<int>(batch.size());
  for (int i = 0; well_formed && i < response->responses_size(); ++i) {
    well_formed = response->responses(i).response_case() == etcdserverpb::ResponseOp::kResponseTxn;
  }
  if (!well_formed) {
    // It applied, but we cannot tell the members' verdicts apart: an unknown
    // outcome, which each committer resolves by reading back its nonce.
    const absl::Status unknown = absl::InternalError(
        absl::StrCat("etcd answered a batch of ", batch.size(), " transactions with ",
                     response->responses_size(), " responses not all transactions"));
    for (Pending* pending : batch) pending->result = unknown;
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    etcdserverpb::TxnResponse own =
        std::move(*response->mutable_responses(static_cast<int>(i))->mutable_response_txn());
    // etcd fills the revision in the outer header only.
    *own.mutable_header() = response->header();
    batch[i]->result = std::move(own);
  }
}

}  // namespace backinstock::store::etcd
