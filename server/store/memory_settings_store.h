// The in-memory settings store: sharded by site, compact per site (about a
// hundred bytes for a site with one app), safe for concurrent use.
#ifndef BACKINSTOCK_SERVER_STORE_MEMORY_SETTINGS_STORE_H_
#define BACKINSTOCK_SERVER_STORE_MEMORY_SETTINGS_STORE_H_

#include <array>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/synchronization/mutex.h"
#include "server/store/settings_store.h"

namespace backinstock::store {

class MemorySettingsStore final : public SettingsStore {
 public:
  absl::StatusOr<SettingsRecord> Get(absl::string_view site) const override;
  std::unique_ptr<Subscription> Watch(
      absl::string_view site, std::function<void(const SettingsRecord&)> on_change) override;

  // Number of sites with a stored record.
  size_t SiteCount() const;

  // Sets the site's record as it is, whatever revision it jumps from: for a
  // durable store replaying its journal or snapshot before anyone reads or
  // watches. Publishes nothing. The revision must not go backwards.
  absl::Status Restore(absl::string_view site, const SettingsRecord& record);

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const SettingsRecord& next) override;

  // App ids are interned: a site stores small indexes, not 36-byte strings.
  struct PackedState {
    uint32_t app = 0;
    bool collecting = false;
  };
  struct PackedRecord {
    int64_t revision = 0;
    absl::InlinedVector<PackedState, 1> states;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, PackedRecord> sites ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 32;

  Shard& ShardFor(absl::string_view site) const;
  uint32_t Intern(const std::string& app_id) ABSL_LOCKS_EXCLUDED(apps_mu_);
  SettingsRecord Unpack(const PackedRecord& packed) const ABSL_LOCKS_EXCLUDED(apps_mu_);

  mutable std::array<Shard, kShards> shards_;
  mutable absl::Mutex apps_mu_;
  std::vector<std::string> app_names_ ABSL_GUARDED_BY(apps_mu_);
  absl::flat_hash_map<std::string, uint32_t> app_indexes_ ABSL_GUARDED_BY(apps_mu_);
  WatchHub<SettingsRecord> hub_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_MEMORY_SETTINGS_STORE_H_
