// Settings in etcd: one key per site holding StoredSettings. Writes are etcd
// transactions guarded by the key's mod_revision (create_revision == 0 for a
// site's first write), so of two replicas racing on the same revision exactly
// one wins; reads and watches are served by the replica's EtcdCache.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_SETTINGS_STORE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_SETTINGS_STORE_H_

#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/shared_catch_up.h"
#include "server/store/etcd/site_record_writes.h"
#include "server/store/settings_store.h"

namespace backinstock::store::etcd {

class EtcdSettingsStore final : public SettingsStore {
 public:
  EtcdSettingsStore(const EtcdClient* client, EtcdCache* cache, Committer* committer);
  EtcdSettingsStore(const EtcdSettingsStore&) = delete;
  EtcdSettingsStore& operator=(const EtcdSettingsStore&) = delete;

  absl::StatusOr<SettingsRecord> Get(absl::string_view site) const override;
  std::unique_ptr<Subscription> Watch(
      absl::string_view site, std::function<void(const SettingsRecord&)> on_change) override;
  // One fence write (EtcdClient::WriteFence), then a wait (at most 1 s) for
  // the cache to apply it; UNAVAILABLE when either fails. Concurrent callers
  // share fences (SharedCatchUp): a flood of refused Creates costs etcd one
  // fence at a time.
  absl::Status CatchUp() const override;

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const SettingsRecord& next) override;

  EtcdCache* cache_;
  SiteRecordWrites writes_;
  mutable SharedCatchUp catch_up_{[this] { return writes_.FenceAndCatchUp(); }};
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_SETTINGS_STORE_H_
