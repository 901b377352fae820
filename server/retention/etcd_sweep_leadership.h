// With --store=etcd, the replica that sweeps holds the key
// /backinstock/v1/retention/leader, attached to its etcd lease (ReplicaLease)
// and holding the lease's id. A replica takes it only while it is absent, by
// one transaction, so one replica sweeps at a time; when the sweeping replica
// dies its lease expires, etcd deletes the key, and the next replica to try
// takes over. Each delete of a sweep is its own revision-checked write, so a
// sweep cut short loses nothing: the next sweeper finds what is left.
#ifndef BACKINSTOCK_SERVER_RETENTION_ETCD_SWEEP_LEADERSHIP_H_
#define BACKINSTOCK_SERVER_RETENTION_ETCD_SWEEP_LEADERSHIP_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "server/retention/sweep_leadership.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/replica_lease.h"

namespace backinstock::retention {

inline constexpr char kEtcdLeaderKey[] = "/backinstock/v1/retention/leader";

class EtcdSweepLeadership final : public SweepLeadership {
 public:
  // Both must outlive this object.
  EtcdSweepLeadership(const store::etcd::EtcdClient* client, store::etcd::ReplicaLease* lease)
      : client_(client), lease_(lease) {}

  bool Acquire() override;
  // The lease the key was taken on is still this replica's live lease (the
  // key lives exactly as long as the lease).
  bool Held() const override;

 private:
  const store::etcd::EtcdClient* client_;
  store::etcd::ReplicaLease* lease_;
  std::atomic<int64_t> held_on_{0};  // the lease the key is on; 0: not held
};

}  // namespace backinstock::retention

#endif  // BACKINSTOCK_SERVER_RETENTION_ETCD_SWEEP_LEADERSHIP_H_
