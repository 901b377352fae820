#include "server/store/etcd/claim_sweeper.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "server/logging/log.h"
#include "server/store/catalog_key.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"

namespace backinstock::store::etcd {

ClaimSweeper::ClaimSweeper(EtcdCache* cache, Committer* committer, ReplicaLease* lease,
                           absl::Duration interval)
    : cache_(cache), committer_(committer), lease_(lease), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

ClaimSweeper::~ClaimSweeper() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ClaimSweeper::Start(NotificationRequestStore::ResumeHandler adopted) {
  absl::MutexLock lock(&mu_);
  adopted_to_ = std::move(adopted);
  wake_ = true;
}

void ClaimSweeper::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void ClaimSweeper::Run() {
  for (;;) {
    NotificationRequestStore::ResumeHandler adopted;
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return stopping_ || (wake_ && adopted_to_ != nullptr);
      };
      mu_.AwaitWithTimeout(absl::Condition(&woken), interval_);
      if (stopping_) return;
      if (adopted_to_ == nullptr) continue;
      wake_ = false;
      adopted = adopted_to_;
    }
    Sweep(adopted);
  }
}

void ClaimSweeper::Sweep(const NotificationRequestStore::ResumeHandler& adopted) {
  for (const EtcdCache::Orphan& orphan : cache_->Orphans()) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    Adopt(orphan, adopted);
  }
}

bool ClaimSweeper::Adopt(const EtcdCache::Orphan& orphan,
                         const NotificationRequestStore::ResumeHandler& to) {
  const NotificationRequestRecord& current = *orphan.entry.record;
  const std::string& id = current.request.id();
  const bool resumable = current.delivery != nullptr;
  auto next = std::make_shared<NotificationRequestRecord>(current);
  next->revision = current.revision + 1;
  if (!resumable) {
    SetStatus(*next, v1::BackInStockNotificationRequest::FAILED, absl::Now());
    next->request.mutable_auto_notified()->set_value(true);
  }
  int64_t lease = 0;
  if (resumable) {
    absl::StatusOr<int64_t> live = lease_->Current();
    if (!live.ok()) return false;  // no lease to claim on: the next sweep tries again
    lease = *live;
  }
  const std::string record_key = RequestKey(orphan.site, id);
  const std::string claim_key = ClaimKey(orphan.site, id);

  const std::string writer = committer_->NewWriter();
  etcdserverpb::TxnRequest txn;
  // Still the PROCESSING record the cache showed, and still unclaimed: a
  // live owner's claim key (or its settling write) makes this fail.
  GuardRevision(txn, record_key, orphan.entry.mod_revision);
  GuardAbsent(txn, claim_key);
  AddPut(txn.add_success(), record_key, EncodeRequest(*next, writer));
  if (resumable) {
    etcdserverpb::RequestOp* claim = txn.add_success();
    AddPut(claim, claim_key, writer);
    claim->mutable_request_put()->set_lease(lease);
  } else {
    // PROCESSING is open, FAILED is not: the item and email are free again.
    AddDelete(txn.add_success(), OpenIndexKey(orphan.site, OpenRequestKeyOf(current.request)));
  }
  AddGet(txn.add_failure(), record_key);
  AddGet(txn.add_failure(), claim_key);

  absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
  if (!outcome.ok()) {
    // A claim of unknown outcome on this lease would never be swept while the
    // lease lives: give the lease up (as the store does for its own claims).
    if (resumable) lease_->Lost(lease);
    logging::Warning("could not adopt an orphaned PROCESSING request; will retry",
                     {{"site", orphan.site},
                      {"request_id", id},
                      {"error", std::string(outcome.status().message())}});
    return false;
  }
  if (!outcome->succeeded) {
    // Another replica adopted it, its owner settled it, or the cache was
    // behind: catch up with what beat us, so the next sweep sees it. (A
    // deleted record shows no revision; its event comes by itself.)
    int64_t winner = 0;
    for (int read = 0; read < 2; ++read) {
      if (const mvccpb::KeyValue* kv = RangeResult(outcome->response, read)) {
        winner = std::max(winner, kv->mod_revision());
      }
    }
    cache_->WaitForRevision(winner, absl::Seconds(2));
    return false;
  }
  if (!resumable) {
    settled_.fetch_add(1);
    logging::Warning(
        "notification request was PROCESSING without a queued email when its replica stopped "
        "renewing its etcd lease; marked FAILED",
        {{"site", orphan.site}, {"request_id", id}});
    return true;
  }
  adopted_.fetch_add(1);
  logging::Warning("took over the queued email of a replica that stopped renewing its etcd lease",
                   {{"site", orphan.site}, {"request_id", id}});
  to(orphan.site, std::move(next));
  return true;
}

}  // namespace backinstock::store::etcd
