#include "server/store/etcd/claim_sweeper.h"

#include "server/logging/log.h"
#include "server/store/catalog_key.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"

namespace backinstock::store::etcd {

ClaimSweeper::ClaimSweeper(EtcdCache* cache, Committer* committer, absl::Duration interval)
    : cache_(cache), committer_(committer), interval_(interval) {
  thread_ = std::thread([this] { Run(); });
}

ClaimSweeper::~ClaimSweeper() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ClaimSweeper::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void ClaimSweeper::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_ || wake_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken), interval_);
      if (stopping_) return;
      wake_ = false;
    }
    Sweep();
  }
}

void ClaimSweeper::Sweep() {
  for (const EtcdCache::Orphan& orphan : cache_->Orphans()) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    Settle(orphan);
  }
}

bool ClaimSweeper::Settle(const EtcdCache::Orphan& orphan) {
  const NotificationRequestRecord& current = *orphan.entry.record;
  const std::string& id = current.request.id();
  NotificationRequestRecord next = current;
  next.revision = current.revision + 1;
  next.request.set_status(v1::BackInStockNotificationRequest::FAILED);
  next.request.mutable_auto_notified()->set_value(true);
  const std::string record_key = RequestKey(orphan.site, id);

  const std::string writer = committer_->NewWriter();
  etcdserverpb::TxnRequest txn;
  // Still the PROCESSING record the cache showed, and still unclaimed: a
  // live owner's claim key (or its settling write) makes this fail.
  GuardRevision(txn, record_key, orphan.entry.mod_revision);
  GuardAbsent(txn, ClaimKey(orphan.site, id));
  AddPut(txn.add_success(), record_key, EncodeRequest(next, writer));
  // PROCESSING is open, FAILED is not: the item and email are free again.
  AddDelete(txn.add_success(), OpenIndexKey(orphan.site, OpenRequestKeyOf(current.request)));

  absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
  if (!outcome.ok()) {
    logging::Warning("could not settle an orphaned PROCESSING request; will retry",
                     {{"site", orphan.site},
                      {"request_id", id},
                      {"error", std::string(outcome.status().message())}});
    return false;
  }
  if (!outcome->succeeded) {
    // Another replica settled it, its owner did, or the cache was behind:
    // catch up so the next sweep sees what etcd holds.
    cache_->WaitForRevision(outcome->revision, absl::Seconds(2));
    return false;
  }
  settled_.fetch_add(1);
  logging::Warning(
      "notification request was PROCESSING when its replica stopped renewing its etcd lease; "
      "marked FAILED, not resent",
      {{"site", orphan.site}, {"request_id", id}});
  return true;
}

}  // namespace backinstock::store::etcd
