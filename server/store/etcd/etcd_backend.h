// Everything --store=etcd needs, owned together: the connection, the replica's
// cache and watch, the transaction committer, the replica's lease and the
// sweeper of orphaned claims, and the two stores over them.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_BACKEND_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_BACKEND_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "server/store/etcd/claim_sweeper.h"
#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/etcd_email_template_store.h"
#include "server/store/etcd/etcd_notification_request_store.h"
#include "server/store/etcd/etcd_settings_store.h"
#include "server/store/etcd/history_compactor.h"
#include "server/store/etcd/replica_lease.h"

namespace backinstock::store::etcd {

class EtcdBackend {
 public:
  // Connects and loads the cache, waiting up to `startup_timeout` for etcd.
  static absl::StatusOr<std::unique_ptr<EtcdBackend>> Open(
      const EtcdOptions& options, absl::Duration startup_timeout = absl::Seconds(30));

  // Stops the watch before the stores and callbacks it could reach go away.
  ~EtcdBackend();

  // The stores over this backend; they must be destroyed before it.
  std::unique_ptr<SettingsStore> NewSettingsStore();
  std::unique_ptr<NotificationRequestStore> NewRequestStore();
  std::unique_ptr<EmailTemplateStore> NewEmailTemplateStore();
  EtcdCache* cache() { return cache_.get(); }
  // At shutdown, once the grace period is over: every etcd call in flight is
  // cancelled and every later one fails at once (EtcdClient::Abort).
  void Abort() { client_->Abort(); }
  ReplicaLease* lease() { return lease_.get(); }
  const EtcdClient* client() const { return client_.get(); }
  ClaimSweeper* sweeper() { return sweeper_.get(); }
  HistoryCompactor* compactor() { return compactor_.get(); }

  // Called with false when writes cannot reach a quorum, the watch is lost
  // (reads still served from the cache) or the replica holds no live lease
  // (it cannot claim requests for sending), true when all work again.
  void SetHealthCallback(std::function<void(bool writable)> callback);

 private:
  EtcdBackend() = default;
  void Report() ABSL_LOCKS_EXCLUDED(mu_);

  std::unique_ptr<EtcdClient> client_;
  std::unique_ptr<EtcdCache> cache_;
  std::unique_ptr<Committer> committer_;
  std::unique_ptr<ReplicaLease> lease_;
  std::unique_ptr<ClaimSweeper> sweeper_;
  std::unique_ptr<HistoryCompactor> compactor_;

  absl::Mutex mu_;
  bool following_ ABSL_GUARDED_BY(mu_) = true;
  std::function<void(bool)> on_health_ ABSL_GUARDED_BY(mu_);
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_BACKEND_H_
