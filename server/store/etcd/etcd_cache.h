// A replica's local copy of everything under /backinstock/v1/, fed by one etcd
// watch. Reads of both stores are served from here; the watch hubs of both
// stores are fed from here, so streams on any replica see every replica's
// writes, in etcd's commit order.
//
// It wires three parts under one lock: the WatchLoop reads the prefix and
// follows it (resuming a broken stream, re-reading a compacted one); each
// response is applied to the CacheState, whose reported changes are published
// to the hubs (a re-read publishes the difference between the old and the
// new contents, so subscribers miss nothing and see nothing twice) and whose
// writer nonces go to the WriterRegistry.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CACHE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CACHE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/store/etcd/cache_state.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/watch_loop.h"
#include "server/store/etcd/writer_registry.h"
#include "server/store/notification_request_store.h"
#include "server/store/settings_store.h"
#include "server/store/watch_hub.h"

namespace backinstock::store::etcd {

class EtcdCache {
 public:
  using SettingsEntry = CacheState::SettingsEntry;
  using RequestEntry = CacheState::RequestEntry;
  using EmailTemplateEntry = CacheState::EmailTemplateEntry;
  using CounterEntry = CacheState::CounterEntry;

  // Called with false when the cache stops following etcd (stream broken,
  // member without leader) and with true when it follows again.
  using HealthCallback = WatchLoop::HealthCallback;

  // Loads the prefix (retrying for up to `load_timeout`) and starts the watch.
  static absl::StatusOr<std::unique_ptr<EtcdCache>> Start(const EtcdClient* client,
                                                          absl::Duration load_timeout);
  ~EtcdCache();

  void SetHealthCallback(HealthCallback callback);

  std::optional<SettingsEntry> Settings(absl::string_view site) const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<RequestEntry> Request(absl::string_view site, absl::string_view id) const
      ABSL_LOCKS_EXCLUDED(mu_);
  CounterEntry Counter(absl::string_view site) const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<EmailTemplateEntry> EmailTemplate(absl::string_view site) const
      ABSL_LOCKS_EXCLUDED(mu_);
  RecordList Requests(absl::string_view site) const ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<int64_t> CountOpen(absl::string_view site,
                                 const std::vector<std::string>& catalog_keys) const
      ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::string> OpenIds(absl::string_view site, absl::string_view catalog_key) const
      ABSL_LOCKS_EXCLUDED(mu_);

  // The settings subscriber first gets the current record; the requests
  // subscriber gets every change applied after the call.
  std::unique_ptr<Subscription> WatchSettings(absl::string_view site,
                                              std::function<void(const SettingsRecord&)> on_change)
      ABSL_LOCKS_EXCLUDED(mu_);
  std::unique_ptr<Subscription> WatchRequests(absl::string_view site,
                                              std::function<void(const RequestEvent&)> on_event)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Waits until the cache has applied etcd revision `revision` (read-your-
  // writes); false on timeout. `revision` must be that of a change under the
  // prefix (a write's own, a key's mod_revision, EtcdClient::WriteFence's):
  // only the watch's events move the cache forward, and a revision made
  // outside the prefix has none.
  bool WaitForRevision(int64_t revision, absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  int64_t applied_revision() const ABSL_LOCKS_EXCLUDED(mu_);

  // Unknown-outcome resolution: register a write's nonce before sending it;
  // afterwards, WriterSeenAt says at which revision a value carrying it was
  // applied (0: not seen).
  void ExpectWriter(const std::string& writer) { writers_.Expect(writer); }
  int64_t WriterSeenAt(const std::string& writer) const { return writers_.SeenAt(writer); }
  void ForgetWriter(const std::string& writer) { writers_.Forget(writer); }

  // Claims (see ReplicaLease): a PROCESSING request whose claim key is gone
  // is an orphan, left by a replica that died (its lease expired) before
  // settling it. The cache only points them out; ClaimSweeper settles them
  // by a transaction that etcd checks.
  using Orphan = CacheState::Orphan;
  std::vector<Orphan> Orphans() const ABSL_LOCKS_EXCLUDED(mu_);
  bool HasClaim(absl::string_view site, absl::string_view id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Called, from the watch thread and without locks held, when there may be
  // new orphans: a claim key went away, or the store was re-read.
  void SetOrphansCallback(std::function<void()> callback) ABSL_LOCKS_EXCLUDED(orphans_mu_);

  // Retention: NotificationRequestStore::ExpiredRequests over the cache.
  std::vector<ExpiredRequest> ExpiredRequests(absl::Time received_before, absl::Time settled_before,
                                              size_t limit) const ABSL_LOCKS_EXCLUDED(mu_);

  // How often the watch had to start over from a full read (compaction).
  int64_t full_reloads() const { return loop_->full_reloads(); }
  // How many sites hold requests, claims or a count above zero here.
  size_t request_sites() const ABSL_LOCKS_EXCLUDED(mu_);
  // How many watch streams the cache has opened (1 while the first one lives).
  int64_t watch_attempts() const { return loop_->watch_attempts(); }

 private:
  explicit EtcdCache(const EtcdClient* client);

  // The WatchLoop's callbacks: take a full re-read, apply a response.
  void TakeSnapshot(CacheState next, int64_t revision) ABSL_LOCKS_EXCLUDED(mu_);
  void ApplyResponse(const etcdserverpb::WatchResponse& response) ABSL_LOCKS_EXCLUDED(mu_);
  // Publishes what the state reported and notes the writers it saw.
  void Publish(CacheState::Changes& changes) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NotifyOrphans() ABSL_LOCKS_EXCLUDED(orphans_mu_);

  // Changes are applied, published and read under mu_, so a subscriber
  // misses nothing between the current record and the next change.
  mutable absl::Mutex mu_;
  CacheState state_ ABSL_GUARDED_BY(mu_);
  // Every change up to this revision is applied: the last event's, or the
  // last full read's.
  int64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  WatchHub<SettingsRecord> settings_hub_;
  WatchHub<RequestEvent> requests_hub_;

  WriterRegistry writers_;

  absl::Mutex orphans_mu_;
  std::function<void()> on_orphans_ ABSL_GUARDED_BY(orphans_mu_);

  // Last: its thread calls into the members above until it is stopped.
  std::unique_ptr<WatchLoop> loop_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CACHE_H_
