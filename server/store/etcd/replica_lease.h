// The replica's etcd lease. A replica that claims a request for sending
// (RECEIVED -> PROCESSING) writes a claim key attached to this lease in the
// same transaction; while the replica lives it keeps the lease alive, and when
// it dies etcd lets the lease expire and deletes its claim keys, which tells
// the other replicas (ClaimSweeper) that the claim is orphaned.
//
// A thread of its own renews the lease every third of its TTL and grants a new
// one when the old one is gone (for example after a partition longer than the
// TTL). Claims ask Current(): without a lease known to be alive they fail
// rather than write a claim key nobody keeps alive.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_REPLICA_LEASE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_REPLICA_LEASE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/etcd/etcd_client.h"

namespace backinstock::store::etcd {

class ReplicaLease {
 public:
  // Called with false when the replica holds no live lease (it cannot claim)
  // and with true when it holds one again.
  using HealthCallback = std::function<void(bool held)>;

  // Grants the first lease (retrying until `startup_deadline`) and starts
  // renewing it. `ttl` is rounded up to whole seconds.
  static absl::StatusOr<std::unique_ptr<ReplicaLease>> Start(const EtcdClient* client,
                                                             absl::Duration ttl,
                                                             absl::Time startup_deadline);

  // Stops renewing and revokes the lease, so that the replica's claims (if
  // any were left) are released at once rather than after the TTL.
  ~ReplicaLease();

  void SetHealthCallback(HealthCallback callback) ABSL_LOCKS_EXCLUDED(health_mu_);

  // The id of the lease, while it is known to be alive (its last renewal was
  // sent less than the TTL ago); UNAVAILABLE otherwise.
  absl::StatusOr<int64_t> Current() const ABSL_LOCKS_EXCLUDED(mu_);
  bool held() const { return Current().ok(); }

  // A write found lease `id` gone before the renewer did: forget it and
  // grant a new one now.
  void Lost(int64_t id) ABSL_LOCKS_EXCLUDED(mu_);

  int64_t ttl_seconds() const { return ttl_seconds_; }

 private:
  ReplicaLease(const EtcdClient* client, int64_t ttl_seconds)
      : client_(client), ttl_seconds_(ttl_seconds) {}

  // One grant; on success the lease is current.
  absl::Status Grant() ABSL_LOCKS_EXCLUDED(mu_);
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Tells the health callback when `held` changed since the last report.
  void Report(bool held) ABSL_LOCKS_EXCLUDED(health_mu_);

  const EtcdClient* client_;
  const int64_t ttl_seconds_;

  mutable absl::Mutex mu_;
  int64_t id_ ABSL_GUARDED_BY(mu_) = 0;  // 0: none
  // When the lease expires at the latest as far as this replica knows:
  // the send time of the last successful grant or renewal plus its TTL.
  // On the monotonic clock: a step of the wall clock must neither make a dead
  // lease look alive nor abandon a live one.
  std::chrono::steady_clock::time_point alive_until_ ABSL_GUARDED_BY(mu_) =
      std::chrono::steady_clock::time_point::min();
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;  // Lost(): grant again now

  absl::Mutex health_mu_;
  HealthCallback on_health_ ABSL_GUARDED_BY(health_mu_);
  bool reported_held_ ABSL_GUARDED_BY(health_mu_) = true;

  std::thread thread_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_REPLICA_LEASE_H_
