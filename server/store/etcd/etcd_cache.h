// A replica's local copy of everything under /backinstock/v1/, fed by one etcd
// watch. Reads of both stores are served from here; the watch hubs of both
// stores are fed from here, so streams on any replica see every replica's
// writes, in etcd's commit order.
//
// Start() reads the whole prefix at one revision, then watches from the next
// one. A broken stream resumes from the last applied revision; a compacted one
// (the revision to resume from is gone) re-reads everything and publishes the
// difference between the old and the new contents as events, so subscribers
// miss nothing and see nothing twice.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CACHE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CACHE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/store/email_template_store.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/watch_stream.h"
#include "server/store/expiry_index.h"
#include "server/store/notification_request_store.h"
#include "server/store/open_index.h"
#include "server/store/settings_store.h"

namespace backinstock::store::etcd {

struct ParsedKey;  // keys.h

class EtcdCache {
 public:
  struct SettingsEntry {
    SettingsRecord record;
    int64_t mod_revision = 0;  // of the etcd key
  };
  struct RequestEntry {
    RecordPtr record;
    int64_t mod_revision = 0;
  };
  struct EmailTemplateEntry {
    EmailTemplateRecord record;
    int64_t mod_revision = 0;  // of the etcd key
  };
  struct CounterEntry {
    int64_t count = 0;
    int64_t mod_revision = 0;  // 0: the key does not exist
  };

  // Called with false when the cache stops following etcd (stream broken,
  // member without leader) and with true when it follows again.
  using HealthCallback = std::function<void(bool following)>;

  // Loads the prefix (retrying for up to `load_timeout`) and starts the watch.
  static absl::StatusOr<std::unique_ptr<EtcdCache>> Start(const EtcdClient* client,
                                                          absl::Duration load_timeout);
  ~EtcdCache();

  void SetHealthCallback(HealthCallback callback) ABSL_LOCKS_EXCLUDED(mu_);

  std::optional<SettingsEntry> Settings(absl::string_view site) const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<RequestEntry> Request(absl::string_view site, absl::string_view id) const
      ABSL_LOCKS_EXCLUDED(mu_);
  CounterEntry Counter(absl::string_view site) const ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<EmailTemplateEntry> EmailTemplate(absl::string_view site) const
      ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<RecordPtr> Requests(absl::string_view site) const ABSL_LOCKS_EXCLUDED(mu_);
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
  // writes); false on timeout.
  bool WaitForRevision(int64_t revision, absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  int64_t applied_revision() const ABSL_LOCKS_EXCLUDED(mu_);

  // Unknown-outcome resolution: register a write's nonce before sending it;
  // afterwards, WriterSeenAt says at which revision a value carrying it was
  // applied (0: not seen).
  void ExpectWriter(const std::string& writer) ABSL_LOCKS_EXCLUDED(mu_);
  int64_t WriterSeenAt(const std::string& writer) const ABSL_LOCKS_EXCLUDED(mu_);
  void ForgetWriter(const std::string& writer) ABSL_LOCKS_EXCLUDED(mu_);

  // Claims (see ReplicaLease): a PROCESSING request whose claim key is gone
  // is an orphan, left by a replica that died (its lease expired) before
  // settling it. The cache only points them out; ClaimSweeper settles them
  // by a transaction that etcd checks.
  struct Orphan {
    std::string site;
    RequestEntry entry;
  };
  std::vector<Orphan> Orphans() const ABSL_LOCKS_EXCLUDED(mu_);
  bool HasClaim(absl::string_view site, absl::string_view id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Called, from the watch thread and without locks held, when there may be
  // new orphans: a claim key went away, or the store was re-read.
  void SetOrphansCallback(std::function<void()> callback) ABSL_LOCKS_EXCLUDED(orphans_mu_);

  // Retention: NotificationRequestStore::ExpiredRequests over the cache.
  std::vector<ExpiredRequest> ExpiredRequests(absl::Time received_before, absl::Time settled_before,
                                              size_t limit) const ABSL_LOCKS_EXCLUDED(mu_);

  // How often the watch had to start over from a full read (compaction).
  int64_t full_reloads() const { return full_reloads_.load(); }
  // How many sites hold requests, claims or a count above zero here.
  size_t request_sites() const ABSL_LOCKS_EXCLUDED(mu_);
  // How many watch streams the cache has opened (1 while the first one lives).
  int64_t watch_attempts() const { return watch_attempts_.load(); }

 private:
  struct SiteRequests {
    absl::flat_hash_map<std::string, RequestEntry> records;  // by id
    OpenIndex open_by_catalog;
    CounterEntry counter;
    absl::flat_hash_set<std::string> claims;   // ids with a claim key
    absl::flat_hash_set<std::string> orphans;  // PROCESSING ids without one
  };
  // A site's entry exists only while it holds something (a request, a
  // claim, a count above zero): sites come and go, and a replica's memory
  // must not grow with every site it ever saw. An absent entry reads as a
  // zero counter at revision 0; when the key exists with 0, the next Create's
  // guard fails once and it goes again with the counter etcd sent back.
  using RequestSites = absl::flat_hash_map<std::string, SiteRequests>;
  // The whole cached state, so a full reload can build a new one aside.
  struct State {
    absl::flat_hash_map<std::string, SettingsEntry> settings;
    RequestSites requests;
    // Nobody watches templates: a full reload replaces them silently.
    absl::flat_hash_map<std::string, EmailTemplateEntry> email_templates;
    // Every site's requests by retention clock, in step with `requests`.
    ExpiryIndex expiry;
  };

  explicit EtcdCache(const EtcdClient* client) : client_(client) {}

  // Reads every key under the prefix at one revision into a new state.
  absl::Status Load(State& state, int64_t& revision) ABSL_LOCKS_EXCLUDED(mu_);
  // Swaps in a freshly loaded state, publishing what changed.
  void Replace(State next, int64_t revision) ABSL_LOCKS_EXCLUDED(mu_);
  void ReplaceLocked(State next, int64_t revision) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run();
  // One watch stream from applied_ + 1 until it ends; true when it ended
  // because the revision was compacted.
  bool WatchOnce();
  void Apply(const etcdserverpb::WatchResponse& response) ABSL_LOCKS_EXCLUDED(mu_);
  void ApplyKv(State& state, const mvccpb::KeyValue& kv, bool deleted, bool publish)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ApplyKv for each kind of key (the request counter, the claims and the
  // email templates are never published).
  void ApplySettings(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                     bool publish) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyRequest(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv, bool publish)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveRequest(State& state, const ParsedKey& key, bool publish)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyCounter(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyClaim(State& state, const ParsedKey& key, bool deleted)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ApplyEmailTemplate(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv,
                          bool deleted) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NoteWriter(absl::string_view writer, int64_t revision) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static void DropIfEmpty(State& state, RequestSites::iterator site);
  // Whether request `id` of `site` is an orphan now.
  void UpdateOrphan(SiteRequests& site, const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NotifyOrphans() ABSL_LOCKS_EXCLUDED(orphans_mu_);
  void PublishRequest(absl::string_view site, RequestEvent::Type type, RecordPtr record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetFollowing(bool following) ABSL_LOCKS_EXCLUDED(mu_);
  void RequestProgress() ABSL_LOCKS_EXCLUDED(stream_mu_);

  const EtcdClient* client_;

  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_);
  int64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int64_t> writers_ ABSL_GUARDED_BY(mu_);  // nonce -> seen at
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool orphans_added_ ABSL_GUARDED_BY(mu_) = false;  // since the last NotifyOrphans
  WatchHub<SettingsRecord> settings_hub_;
  WatchHub<RequestEvent> requests_hub_;

  // The watch stream in progress, for cancelling it and asking for progress.
  absl::Mutex stream_mu_;
  grpc::ClientContext* stream_context_ ABSL_GUARDED_BY(stream_mu_) = nullptr;
  std::shared_ptr<WatchStream> stream_ ABSL_GUARDED_BY(stream_mu_);
  // Set from gRPC's callback threads, which must never need stream_mu_ (a
  // TryCancel under it may run them inline).
  std::atomic<bool> stream_created_{false};

  absl::Mutex health_mu_;
  HealthCallback on_health_ ABSL_GUARDED_BY(health_mu_);
  bool following_ ABSL_GUARDED_BY(health_mu_) = true;

  absl::Mutex orphans_mu_;
  std::function<void()> on_orphans_ ABSL_GUARDED_BY(orphans_mu_);

  std::atomic<int64_t> full_reloads_{0};
  std::atomic<int64_t> watch_attempts_{0};
  std::thread thread_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_CACHE_H_
