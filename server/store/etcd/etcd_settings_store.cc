#include "server/store/etcd/etcd_settings_store.h"

#include "server/store/etcd/codec.h"
#include "server/store/etcd/keys.h"

namespace backinstock::store::etcd {

namespace {

absl::StatusOr<int64_t> StoredSettingsRevision(absl::string_view value) {
  absl::StatusOr<SettingsRecord> record = DecodeSettings(value, nullptr);
  if (!record.ok()) return record.status();
  return record->revision;
}

}  // namespace

EtcdSettingsStore::EtcdSettingsStore(const EtcdClient* client, EtcdCache* cache,
                                     Committer* committer)
    : cache_(cache), writes_(client, cache, committer, "settings", &StoredSettingsRevision) {}

absl::StatusOr<SettingsRecord> EtcdSettingsStore::Get(absl::string_view site) const {
  auto entry = cache_->Settings(site);
  return entry ? entry->record : SettingsRecord{};
}

absl::Status EtcdSettingsStore::CatchUp() const { return catch_up_.Confirm(); }

absl::Status EtcdSettingsStore::DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                                 const SettingsRecord& next) {
  std::optional<SiteRecordWrites::Cached> cached;
  if (auto entry = cache_->Settings(site)) {
    cached = SiteRecordWrites::Cached{entry->record.revision, entry->mod_revision};
  }
  return writes_.CompareAndSwap(
      site, SettingsKey(site), cached, expected_revision,
      [&next](absl::string_view writer) { return EncodeSettings(next, writer); });
}

std::unique_ptr<Subscription> EtcdSettingsStore::Watch(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  return cache_->WatchSettings(site, std::move(on_change));
}

}  // namespace backinstock::store::etcd
