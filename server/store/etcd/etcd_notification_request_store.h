// Notification requests in etcd, one key per request, with, per site:
//  - an open-request index key per (catalog key, lower-cased email) holding
//    the id of the open request, created and removed in the same transaction
//    as the status change that opens or closes a request, and guarded to be
//    absent when created: two Creates of the same open request on two
//    replicas cannot both commit;
//  - a counter key holding the number of requests, put by every Create and
//    Delete in the same transaction and guarded by its mod_revision: the cap
//    is checked against a count no other write changed in between.
// Every record write is guarded by the record key's mod_revision. A Claim
// also puts the request's claim key on the replica's lease, and a Release (or
// a Delete of a PROCESSING request) removes the claim key, in the same
// transaction: a claim key exists while a live replica owns the request
// (ClaimSweeper settles the others). Which keys a write touches follows from
// the write's name (ClaimChange), checked against the stored status. Reads,
// counts and watches are served from the replica's EtcdCache.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_NOTIFICATION_REQUEST_STORE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_NOTIFICATION_REQUEST_STORE_H_

#include "server/store/etcd/claim_sweeper.h"
#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/replica_lease.h"
#include "server/store/notification_request_store.h"

namespace backinstock::store::etcd {

class EtcdNotificationRequestStore final : public NotificationRequestStore {
 public:
  EtcdNotificationRequestStore(const EtcdClient* client, EtcdCache* cache, Committer* committer,
                               ReplicaLease* lease, ClaimSweeper* sweeper)
      : client_(client), cache_(cache), committer_(committer), lease_(lease), sweeper_(sweeper) {}

  absl::StatusOr<CreateResult> Create(absl::string_view site,
                                      const NotificationRequestRecord& record,
                                      int64_t max_requests) override;
  absl::StatusOr<RecordPtr> Get(absl::string_view site, absl::string_view id) const override;
  absl::Status Delete(absl::string_view site, absl::string_view id,
                      int64_t expected_revision) override;
  absl::StatusOr<RecordList> List(absl::string_view site) const override;
  absl::StatusOr<std::vector<int64_t>> CountOpen(
      absl::string_view site, const std::vector<std::string>& catalog_keys) const override;
  absl::StatusOr<std::vector<std::string>> OpenIds(absl::string_view site,
                                                   absl::string_view catalog_key) const override;
  std::unique_ptr<Subscription> Watch(absl::string_view site,
                                      std::function<void(const RequestEvent&)> on_event) override;
  // Starts the sweeper: orphaned claims of dead replicas are adopted from now.
  absl::Status ResumeDeliveries(ResumeHandler resume) override {
    sweeper_->Start(std::move(resume));
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<ExpiredRequest>> ExpiredRequests(absl::Time received_before,
                                                              absl::Time settled_before,
                                                              size_t limit) const override {
    return cache_->ExpiredRequests(received_before, settled_before, limit);
  }
  // etcd keeps deleted values in its history until it is compacted, which
  // the backend's HistoryCompactor does every --etcd_compaction_interval on
  // every replica; nothing to force here.
  absl::Status PurgeDeleted() override { return absl::OkStatus(); }

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const NotificationRequestRecord& next, ClaimChange change) override;
  // After a Claim or Release whose outcome is unknown: gives up the lease
  // the claim key is (or may be) on (see the .cc).
  void AbandonClaimLease(ClaimChange change, int64_t claim_lease);

  // The record's etcd mod_revision when it is at `expected_revision`: from
  // the cache, or from etcd when the caller knows a revision the cache has
  // not seen yet. NOT_FOUND / ABORTED as the interface says.
  absl::StatusOr<int64_t> ModRevisionAt(absl::string_view site, absl::string_view id,
                                        int64_t expected_revision) const;

  const EtcdClient* client_;
  EtcdCache* cache_;
  Committer* committer_;
  ReplicaLease* lease_;
  ClaimSweeper* sweeper_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_NOTIFICATION_REQUEST_STORE_H_
