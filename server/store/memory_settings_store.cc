#include "server/store/memory_settings_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace backinstock::store {

MemorySettingsStore::Shard& MemorySettingsStore::ShardFor(absl::string_view site) const {
  return shards_[absl::Hash<absl::string_view>{}(site) % kShards];
}

uint32_t MemorySettingsStore::Intern(const std::string& app_id) {
  absl::MutexLock lock(&apps_mu_);
  auto [it, inserted] = app_indexes_.try_emplace(app_id, static_cast<uint32_t>(app_names_.size()));
  if (inserted) app_names_.push_back(app_id);
  return it->second;
}

SettingsRecord MemorySettingsStore::Unpack(const PackedRecord& packed) const {
  SettingsRecord record;
  record.revision = packed.revision;
  absl::ReaderMutexLock lock(&apps_mu_);
  for (const PackedState& state : packed.states) {
    record.states.push_back({app_names_[state.app], state.collecting});
  }
  return record;
}

absl::StatusOr<SettingsRecord> MemorySettingsStore::Get(absl::string_view site) const {
  Shard& shard = ShardFor(site);
  absl::ReaderMutexLock lock(&shard.mu);
  auto it = shard.sites.find(site);
  if (it == shard.sites.end()) return SettingsRecord{};
  return Unpack(it->second);
}

absl::Status MemorySettingsStore::DoCompareAndSwap(absl::string_view site,
                                                   int64_t expected_revision,
                                                   const SettingsRecord& next) {
  PackedRecord packed;
  packed.revision = next.revision;
  for (const AppCollectionState& state : next.states) {
    packed.states.push_back({Intern(state.app_id), state.collecting});
  }

  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.sites.find(site);
  const int64_t stored = it == shard.sites.end() ? 0 : it->second.revision;
  if (stored != expected_revision) {
    return absl::AbortedError(absl::StrCat("settings of site ", site, " are at revision ", stored,
                                           ", not ", expected_revision));
  }
  if (it == shard.sites.end()) {
    shard.sites.emplace(site, std::move(packed));
  } else {
    it->second = std::move(packed);
  }
  // Published under the shard lock so that watchers see commits in order.
  hub_.Publish(site, next);
  return absl::OkStatus();
}

absl::Status MemorySettingsStore::Restore(absl::string_view site, const SettingsRecord& record) {
  PackedRecord packed;
  packed.revision = record.revision;
  for (const AppCollectionState& state : record.states) {
    packed.states.push_back({Intern(state.app_id), state.collecting});
  }
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  PackedRecord& stored = shard.sites[std::string(site)];
  if (record.revision <= stored.revision) {
    const int64_t previous = stored.revision;
    if (previous == 0) shard.sites.erase(site);  // do not leave an empty record behind
    return absl::DataLossError(absl::StrCat("site ", site, " goes from revision ", previous,
                                            " back to ", record.revision));
  }
  stored = std::move(packed);
  return absl::OkStatus();
}

std::unique_ptr<Subscription> MemorySettingsStore::Watch(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.sites.find(site);
  const SettingsRecord current = it == shard.sites.end() ? SettingsRecord{} : Unpack(it->second);
  return hub_.Subscribe(site, std::move(on_change), &current);
}

size_t MemorySettingsStore::SiteCount() const {
  size_t count = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    count += shard.sites.size();
  }
  return count;
}

}  // namespace backinstock::store
