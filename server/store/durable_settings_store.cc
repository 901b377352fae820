#include "server/store/durable_settings_store.h"

#include "absl/strings/str_cat.h"
#include "backinstock/v1/settings.pb.h"

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

DurableSettingsStore::DurableSettingsStore()
    : records_("settings", &EncodeValue, &DecodeValue, kSiteLocks) {}

absl::StatusOr<std::unique_ptr<DurableSettingsStore>> DurableSettingsStore::Open(
    const std::string& dir, journal::JournalOptions options) {
  std::unique_ptr<DurableSettingsStore> store(new DurableSettingsStore());
  if (absl::Status opened = store->records_.Open(dir, std::move(options)); !opened.ok()) {
    return opened;
  }
  return store;
}

absl::StatusOr<SettingsRecord> DurableSettingsStore::Get(absl::string_view site) const {
  return records_.memory().Get(site);
}

absl::Status DurableSettingsStore::DoCompareAndSwap(absl::string_view site,
                                                    int64_t expected_revision,
                                                    const SettingsRecord& next) {
  return records_.CompareAndSwap(site, expected_revision, next);
}

std::unique_ptr<Subscription> DurableSettingsStore::Watch(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  return records_.memory().Watch(site, std::move(on_change));
}

}  // namespace backinstock::store
