#include "server/retention/etcd_sweep_leadership.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/logging/log.h"
#include "server/store/etcd/txn.h"

namespace backinstock::retention {

bool EtcdSweepLeadership::Acquire() {
  absl::StatusOr<int64_t> lease = lease_->Current();
  if (!lease.ok()) {
    held_on_.store(0);
    return false;
  }
  etcdserverpb::TxnRequest txn;
  store::etcd::GuardAbsent(txn, kEtcdLeaderKey);
  etcdserverpb::RequestOp* put = txn.add_success();
  store::etcd::AddPut(put, kEtcdLeaderKey, absl::StrCat(*lease));
  put->mutable_request_put()->set_lease(*lease);
  store::etcd::AddGet(txn.add_failure(), kEtcdLeaderKey);
  absl::StatusOr<etcdserverpb::TxnResponse> response = client_->Txn(txn);
  if (!response.ok()) {
    // Unknown: sweep again once etcd answers.
    held_on_.store(0);
    return false;
  }
  bool mine = response->succeeded();
  if (!mine) {
    const mvccpb::KeyValue* holder = store::etcd::RangeResult(*response, 0);
    mine = holder != nullptr && holder->lease() == *lease;
  }
  const int64_t before = held_on_.exchange(mine ? *lease : 0);
  if (mine && before != *lease) {
    logging::Info("this replica runs the retention sweep", {{"lease", *lease}});
  }
  return mine;
}

bool EtcdSweepLeadership::Held() const {
  const int64_t held = held_on_.load();
  if (held == 0) return false;
  absl::StatusOr<int64_t> lease = lease_->Current();
  return lease.ok() && *lease == held;
}

}  // namespace backinstock::retention
