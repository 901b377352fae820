#include "server/store/durable_settings_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "backinstock/v1/settings.pb.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store {

std::string DurableSettingsStore::EncodeValue(const SettingsRecord& record) {
  v1::BackInStockSettings message;
  message.set_revision(record.revision);
  for (const AppCollectionState& state : record.states) {
    auto* stored = message.add_collection_states();
    stored->set_app_id(state.app_id);
    stored->set_collecting_requests(state.collecting);
  }
  return message.SerializeAsString();
}

absl::StatusOr<SettingsRecord> DurableSettingsStore::DecodeValue(absl::string_view value) {
  v1::BackInStockSettings message;
  if (!message.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("settings record does not parse");
  }
  if (message.revision() < 1) return absl::DataLossError("settings record has no revision");
  SettingsRecord record;
  record.revision = message.revision();
  for (const auto& state : message.collection_states()) {
    record.states.push_back({state.app_id(), state.collecting_requests()});
  }
  return record;
}

absl::StatusOr<std::unique_ptr<DurableSettingsStore>> DurableSettingsStore::Open(
    const std::string& dir, journal::JournalOptions options) {
  std::unique_ptr<DurableSettingsStore> store(new DurableSettingsStore());
  DurableSettingsStore* self = store.get();
  auto apply = [self](const journal::RecordView& record) -> absl::Status {
    if (record.type != journal::RecordType::kPut) {
      return absl::DataLossError("settings journal holds a record that is not a put");
    }
    absl::StatusOr<SettingsRecord> decoded = DecodeValue(record.value);
    if (!decoded.ok()) return decoded.status();
    // Replay runs before anyone can read or watch: records are set directly,
    // and the memory store checks that revisions only go forward.
    return self->memory_.Restore(record.key, *decoded);
  };
  absl::StatusOr<std::unique_ptr<journal::Journal>> journal =
      journal::Journal::Open(dir, std::move(options), apply);
  if (!journal.ok()) return journal.status();
  store->journal_ = *std::move(journal);
  return store;
}

absl::Mutex& DurableSettingsStore::LockFor(absl::string_view site) {
  return site_locks_[absl::Hash<absl::string_view>{}(site) % kSiteLocks];
}

absl::StatusOr<SettingsRecord> DurableSettingsStore::Get(absl::string_view site) const {
  return memory_.Get(site);
}

absl::Status DurableSettingsStore::DoCompareAndSwap(absl::string_view site,
                                                    int64_t expected_revision,
                                                    const SettingsRecord& next) {
  absl::MutexLock lock(&LockFor(site));
  absl::StatusOr<SettingsRecord> current = memory_.Get(site);
  if (!current.ok()) return current.status();
  if (current->revision != expected_revision) {
    return absl::AbortedError(absl::StrCat("settings of site ", site, " are at revision ",
                                           current->revision, ", not ", expected_revision));
  }
  if (absl::Status durable = journal_->Put(site, EncodeValue(next)); !durable.ok()) {
    return StorageUnavailable(durable);
  }
  // Cannot be refused: every write of this site holds the lock we hold.
  return memory_.CompareAndSwap(site, expected_revision, next);
}

std::unique_ptr<Subscription> DurableSettingsStore::Watch(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  return memory_.Watch(site, std::move(on_change));
}

}  // namespace backinstock::store
