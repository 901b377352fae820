// What the etcd settings and email template stores share: one key per site
// whose value carries the record's revision. A write is one transaction
// guarded by the key's mod_revision (0: the key must not exist), so of two
// replicas racing on the same revision exactly one wins. The mod_revision
// comes from this replica's cache or, when the caller read a revision the
// cache has not applied yet, from etcd.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_SITE_RECORD_WRITES_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_SITE_RECORD_WRITES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"

namespace backinstock::store::etcd {

class SiteRecordWrites {
 public:
  // What this replica's cache holds of a site's key.
  struct Cached {
    int64_t revision = 0;      // the record's
    int64_t mod_revision = 0;  // the key's, in etcd
  };
  // The record's revision inside a stored value.
  using StoredRevision = std::function<absl::StatusOr<int64_t>(absl::string_view value)>;
  // The value to store, carrying the write's nonce `writer`.
  using Encode = std::function<std::string(absl::string_view writer)>;

  // `noun` names the records in errors ("settings", "email template").
  SiteRecordWrites(const EtcdClient* client, EtcdCache* cache, Committer* committer,
                   std::string noun, StoredRevision stored_revision)
      : client_(client),
        cache_(cache),
        committer_(committer),
        noun_(std::move(noun)),
        stored_revision_(std::move(stored_revision)) {}

  // Stores `encode(writer)` under `key` if the site's record is still at
  // `expected_revision`. ABORTED when another write got there first (after
  // this replica's cache caught up with it, so that the caller's re-read
  // sees it); UNAVAILABLE when etcd cannot be reached.
  absl::Status CompareAndSwap(absl::string_view site, const std::string& key,
                              std::optional<Cached> cached, int64_t expected_revision,
                              const Encode& encode) const;

  // One fence write (EtcdClient::WriteFence), then a wait (at most 1 s) for
  // the cache to apply it; UNAVAILABLE when either fails.
  absl::Status FenceAndCatchUp() const;

 private:
  // The key's mod_revision when the record holds `expected_revision` (0 when
  // the site was never written); ABORTED when it holds another.
  absl::StatusOr<int64_t> ModRevisionAt(absl::string_view site, const std::string& key,
                                        std::optional<Cached> cached,
                                        int64_t expected_revision) const;

  const EtcdClient* client_;
  EtcdCache* cache_;
  Committer* committer_;
  const std::string noun_;
  const StoredRevision stored_revision_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_SITE_RECORD_WRITES_H_
