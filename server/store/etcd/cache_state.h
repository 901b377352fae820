// What a replica knows of everything under /backinstock/v1/: the settings,
// requests, counters, claims and email templates of every site, with the
// indexes the stores read (open requests per catalog reference, requests by
// retention clock, orphans). It is fed etcd's key-values one at a time
// (Apply) or as a whole new state (Replace), and says what each changed, so
// its owner can publish the changes and resolve the writes it waits on.
//
// A plain value: no etcd client, no threads, not synchronized (its owner,
// EtcdCache, guards it with one lock), so it is tested by feeding it
// key-values built by hand.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_CACHE_STATE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_CACHE_STATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "etcd/mvcc/mvccpb/kv.pb.h"
#include "server/store/email_template_store.h"
#include "server/store/expiry_index.h"
#include "server/store/notification_request_store.h"
#include "server/store/open_index.h"
#include "server/store/settings_store.h"
#include "server/store/shared_record_list.h"

namespace backinstock::store::etcd {

struct ParsedKey;  // keys.h

class CacheState {
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
  // A PROCESSING request whose claim key is gone (see ReplicaLease).
  struct Orphan {
    std::string site;
    RequestEntry entry;
  };

  // What one Apply or Replace changed. Settings changes and request events
  // are what the watch hubs publish, in order; the counter, the claims and
  // the email templates are never published.
  struct SettingsChange {
    std::string site;
    SettingsRecord record;
  };
  struct RequestChange {
    std::string site;
    RequestEvent::Type type = RequestEvent::Type::kCreated;
    RecordPtr record;  // for kDeleted, the record that was deleted
  };
  // A value carrying a write's nonce was applied at `revision`.
  struct WriterSeen {
    std::string writer;
    int64_t revision = 0;
  };
  struct Changes {
    std::vector<SettingsChange> settings;
    std::vector<RequestChange> requests;
    std::vector<WriterSeen> writers;  // Apply only
    // There may be new orphans: Apply made one, or Replace's state holds some.
    bool orphans = false;
  };

  CacheState() = default;
  CacheState(CacheState&&) = default;
  CacheState& operator=(CacheState&&) = default;
  CacheState(const CacheState&) = delete;
  CacheState& operator=(const CacheState&) = delete;

  // Applies one etcd key-value (a put, or a delete when `deleted`). Keys
  // outside our layout, the open index keys (etcd keeps that index for its
  // transaction guards; the state keeps its own) and undecodable values
  // change nothing.
  Changes Apply(const mvccpb::KeyValue& kv, bool deleted);
  // Becomes `next` (a full re-read), reporting the difference as changes: a
  // settings record whose key moved, and every request deleted, created or
  // updated (by its key's mod revision).
  Changes Replace(CacheState next);

  std::optional<SettingsEntry> Settings(absl::string_view site) const;
  std::optional<RequestEntry> Request(absl::string_view site, absl::string_view id) const;
  // An absent counter reads as zero at revision 0.
  CounterEntry Counter(absl::string_view site) const;
  std::optional<EmailTemplateEntry> EmailTemplate(absl::string_view site) const;
  // Shared by readers until the site's next change; callers hold the
  // cache's lock, shared or exclusive (shared_record_list.h).
  RecordList Requests(absl::string_view site) const;
  std::vector<int64_t> CountOpen(absl::string_view site,
                                 const std::vector<std::string>& catalog_keys) const;
  std::vector<std::string> OpenIds(absl::string_view site, absl::string_view catalog_key) const;
  std::vector<Orphan> Orphans() const;
  bool HasClaim(absl::string_view site, absl::string_view id) const;
  // NotificationRequestStore::ExpiredRequests over every site.
  std::vector<ExpiredRequest> ExpiredRequests(absl::Time received_before, absl::Time settled_before,
                                              size_t limit) const;
  // How many sites hold requests, claims or a count above zero.
  size_t request_sites() const { return requests_.size(); }

 private:
  struct SiteRequests {
    absl::flat_hash_map<std::string, RequestEntry> records;  // by id
    // `records` as one list for Requests; forgotten on every change to them.
    SharedRecordList listed;
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

  // Apply for each kind of key.
  void ApplySettings(const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                     Changes& changes);
  void ApplyRequest(const ParsedKey& key, const mvccpb::KeyValue& kv, Changes& changes);
  void RemoveRequest(const ParsedKey& key, Changes& changes);
  void ApplyCounter(const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                    Changes& changes);
  void ApplyClaim(const ParsedKey& key, bool deleted, Changes& changes);
  void ApplyEmailTemplate(const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                          Changes& changes);
  // Whether request `id` of `site` is an orphan now.
  static void UpdateOrphan(SiteRequests& site, const std::string& id, Changes& changes);
  static void NoteWriter(std::string writer, int64_t revision, Changes& changes);
  void DropIfEmpty(RequestSites::iterator site);

  absl::flat_hash_map<std::string, SettingsEntry> settings_;
  RequestSites requests_;
  absl::flat_hash_map<std::string, EmailTemplateEntry> email_templates_;
  // Every site's requests by retention clock, in step with `requests_`.
  ExpiryIndex expiry_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_CACHE_STATE_H_
