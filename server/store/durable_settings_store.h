// The settings store with a data directory: MemorySettingsStore for reads and
// watches, a journal for durability. A CompareAndSwap returns OK only once
// its record is on disk, and only then do readers and watchers see it, so
// everything a client was ever shown survives a crash.
//
// One write per site is on its way to disk at a time, which keeps the
// journal in each site's commit order; writes to different sites wait on the
// disk together and share its syncs (group commit). See
// journaled_site_records.h.
//
// On disk: one kPut record per committed write, key = site, value = the
// site's whole SettingsRecord as a serialized v1.BackInStockSettings (its
// stored states only, and the revision).
#ifndef BACKINSTOCK_SERVER_STORE_DURABLE_SETTINGS_STORE_H_
#define BACKINSTOCK_SERVER_STORE_DURABLE_SETTINGS_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/journal/journal.h"
#include "server/store/journaled_site_records.h"
#include "server/store/memory_settings_store.h"
#include "server/store/settings_store.h"

namespace backinstock::store {

class DurableSettingsStore final : public SettingsStore {
 public:
  // Opens the journal in `dir` and replays it. Fails (DATA_LOSS naming file
  // and offset) on a damaged snapshot or journal.
  static absl::StatusOr<std::unique_ptr<DurableSettingsStore>> Open(
      const std::string& dir, journal::JournalOptions options = {});

  absl::StatusOr<SettingsRecord> Get(absl::string_view site) const override;
  std::unique_ptr<Subscription> Watch(
      absl::string_view site, std::function<void(const SettingsRecord&)> on_change) override;

  size_t SiteCount() const { return records_.memory().SiteCount(); }
  journal::Journal& journal() { return records_.journal(); }

  // The journal value of a record, and back (exposed for tests and tools).
  static std::string EncodeValue(const SettingsRecord& record);
  static absl::StatusOr<SettingsRecord> DecodeValue(absl::string_view value);

 private:
  // UNAVAILABLE (reason STORAGE_UNAVAILABLE) when the record cannot be made
  // durable; the write then has no visible effect.
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const SettingsRecord& next) override;

  DurableSettingsStore();

  // The stripes guard a write's check and apply, never its sync (which
  // sites sharing a stripe used to wait on: there were 4,096 then), so a few
  // hundred keep contention low.
  static constexpr size_t kSiteLocks = 256;

  JournaledSiteRecords<SettingsRecord, MemorySettingsStore> records_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_DURABLE_SETTINGS_STORE_H_
