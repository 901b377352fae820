// A connection to an etcd cluster through etcd's own v3 gRPC API. One channel
// spans every member (an `ipv4:` target of all endpoints, round_robin): a call
// goes to a member that is up, and a member that goes away is skipped after
// its connection fails. Calls carry a deadline and etcd's `hasleader`
// metadata, so a member cut off from the quorum refuses at once with
// UNAVAILABLE instead of holding the call until the deadline.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CLIENT_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace backinstock::store::etcd {

struct EtcdOptions {
  // host:port (or http://host:port) of each member; names are resolved once,
  // at startup, to their IPv4 addresses.
  std::vector<std::string> endpoints;
  // Deadline of each unary call to etcd...
  absl::Duration call_timeout = absl::Seconds(5);
  // ...except a write (Txn, WriteFence) and the linearizable read of
  // CurrentRevision. A write proposed through a member whose leader just
  // died is lost with the leader while the member holds the call; abandoning
  // it after about one election timeout (etcd's default: 1 s) lets the
  // committer resolve it by its nonce and send it again once the election
  // ends, instead of waiting out `call_timeout`. A slow but healthy write
  // that exceeds it only costs that read-back (a fence).
  absl::Duration write_attempt_timeout = absl::Seconds(1);
  // Time-to-live of the replica's lease (whole seconds, at least etcd's
  // minimum of 2 s): how long after a replica dies its claims expire.
  absl::Duration lease_ttl = absl::Seconds(10);
  // Transactions outstanding before concurrent ones on disjoint keys are
  // sent as one (see txn_batcher.h); 0 sends each alone.
  int txns_in_flight = 1;
  // Told the latency and the number of writes (1, or a group's size) of every
  // transaction call the committer makes (metrics); may be empty.
  std::function<void(absl::Duration latency, int writes)> observe_txn;
  // How often each replica compacts etcd's history at the current revision
  // (--etcd_compaction_interval), so deleted values leave it.
  absl::Duration compaction_interval = absl::Minutes(5);
};

class EtcdClient {
 public:
  static absl::StatusOr<std::unique_ptr<EtcdClient>> Connect(const EtcdOptions& options);

  absl::StatusOr<etcdserverpb::TxnResponse> Txn(const etcdserverpb::TxnRequest& request) const;
  absl::StatusOr<etcdserverpb::RangeResponse> Range(
      const etcdserverpb::RangeRequest& request) const;
  // The cluster's current revision, read linearizably (through the leader),
  // under the write attempt's deadline.
  absl::StatusOr<int64_t> CurrentRevision() const;
  // Writes the fence key (FenceKey) and returns the revision of that write,
  // under the write attempt's deadline. Once a watch of the prefix has
  // delivered that revision, it has delivered every change etcd held when
  // the call began. A watch's own events are the only sure sign of that:
  // etcd 3.4 answers a requested progress notification with its current
  // revision, possibly ahead of events still queued for the stream (etcd
  // issue 15220, fixed in 3.4.24; Debian 12 ships 3.4.23).
  absl::StatusOr<int64_t> WriteFence() const;

  // Leases: grant one of `ttl_seconds`; renew one (its new TTL in seconds,
  // 0 when it has expired) within `timeout` at most (a renewal that hangs
  // must not outlive the lease it renews); revoke one (its keys go with it).
  absl::StatusOr<etcdserverpb::LeaseGrantResponse> LeaseGrant(int64_t ttl_seconds) const;
  absl::StatusOr<int64_t> LeaseKeepAlive(int64_t id, absl::Duration timeout) const;
  absl::Status LeaseRevoke(int64_t id) const;

  // For watch streams: the stub, and a context with the same leader check
  // (no deadline: a watch lives until cancelled).
  etcdserverpb::Watch::Stub* watch_stub() const { return watch_.get(); }
  static void RequireLeader(grpc::ClientContext* context);

  const std::string& target() const { return target_; }

  // At shutdown, once the grace period is over: cancels every call in flight
  // and fails every later one at once (UNAVAILABLE, "shutting down"), so that
  // work waiting on an unreachable etcd ends within moments instead of
  // after its deadlines and retries.
  void Abort() const ABSL_LOCKS_EXCLUDED(calls_mu_);
  bool aborted() const ABSL_LOCKS_EXCLUDED(calls_mu_);

  // Whether an etcd error says the write was refused before it could apply
  // (the member has no leader), as opposed to an unknown outcome.
  static bool RefusedBeforeApply(const absl::Status& status);
  // Whether etcd answered and refused the request itself (a put on a lease
  // it no longer has, an invalid transaction, a permission): it was decided
  // by the applier and changed nothing, so its outcome is known, and sending
  // it again unchanged would only be refused again.
  static bool Rejected(const absl::Status& status);

  // History: drops every revision before `revision` from etcd's MVCC history
  // (physically: etcd answers once the old values are removed from its
  // backend). OUT_OF_RANGE ("required revision has been compacted") when the
  // history was already compacted at or past it: AlreadyCompacted.
  absl::Status Compact(int64_t revision) const;
  static bool AlreadyCompacted(const absl::Status& status);

 private:
  EtcdClient(std::string target, std::shared_ptr<grpc::Channel> channel,
             const EtcdOptions& options);

  // A deadline of `timeout` from now, and the leader requirement.
  static void Prepare(grpc::ClientContext* context, absl::Duration timeout);
  absl::StatusOr<etcdserverpb::RangeResponse> Range(const etcdserverpb::RangeRequest& request,
                                                    absl::Duration timeout) const;
  friend class TrackedCall;  // registers each call's context for Abort

  std::string target_;
  std::shared_ptr<grpc::Channel> channel_;
  absl::Duration call_timeout_;
  absl::Duration write_attempt_timeout_;
  std::unique_ptr<etcdserverpb::KV::Stub> kv_;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch_;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease_;

  mutable absl::Mutex calls_mu_;
  mutable absl::flat_hash_set<grpc::ClientContext*> calls_ ABSL_GUARDED_BY(calls_mu_);
  mutable bool aborted_ ABSL_GUARDED_BY(calls_mu_) = false;
};

// The gRPC target for `endpoints`: "ipv4:a:p,b:p,...".
absl::StatusOr<std::string> ResolveEndpoints(const std::vector<std::string>& endpoints);

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CLIENT_H_
