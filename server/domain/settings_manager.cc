#include "server/domain/settings_manager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "backinstock/errors/error.h"
#include "server/domain/guid.h"
#include "server/domain/write_retry.h"

namespace backinstock::domain {
namespace {

bool CollectingIn(const store::SettingsRecord& record, absl::string_view app_id) {
  for (const auto& state : record.states) {
    if (state.app_id == app_id) return state.collecting;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseSupportedAppIds(absl::string_view csv) {
  std::vector<std::string> ids;
  for (absl::string_view part : absl::StrSplit(csv, ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    std::optional<std::string> id = NormalizeGuid(part);
    if (!id)
      return absl::InvalidArgumentError(
          absl::StrCat("supported app id \"", part, "\" is not a GUID"));
    if (std::find(ids.begin(), ids.end(), *id) != ids.end()) {
      return absl::InvalidArgumentError(absl::StrCat("supported app id ", *id, " is listed twice"));
    }
    ids.push_back(*std::move(id));
  }
  if (ids.empty()) return absl::InvalidArgumentError("no supported app id is configured");
  return ids;
}

bool SettingsManager::IsSupported(absl::string_view normalized_app_id) const {
  return std::find(supported_app_ids_.begin(), supported_app_ids_.end(), normalized_app_id) !=
         supported_app_ids_.end();
}

v1::BackInStockSettings SettingsManager::ToSettings(const store::SettingsRecord& record) const {
  v1::BackInStockSettings settings;
  settings.set_revision(record.revision);
  for (const std::string& app_id : supported_app_ids_) {
    auto* state = settings.add_collection_states();
    state->set_app_id(app_id);
    state->set_collecting_requests(CollectingIn(record, app_id));
  }
  return settings;
}

absl::StatusOr<v1::BackInStockSettings> SettingsManager::Get(absl::string_view site) const {
  absl::StatusOr<store::SettingsRecord> record = store_->Get(site);
  if (!record.ok()) return record.status();
  return ToSettings(*record);
}

absl::StatusOr<std::string> SettingsManager::SupportedAppId(absl::string_view app_id) const {
  if (app_id.empty()) return errors::InvalidField("app_id", "app_id is required");
  std::optional<std::string> normalized = NormalizeGuid(app_id);
  if (!normalized) {
    return errors::InvalidField(
        "app_id", absl::StrCat(errors::Quoted(app_id), " is not a GUID (8-4-4-4-12 hex digits)"));
  }
  if (!IsSupported(*normalized)) {
    return errors::Error(absl::StatusCode::kFailedPrecondition, "NOT_SUPPORTED_APP_DEF_ID",
                         absl::StrCat("app ", *normalized, " is not a supported app"),
                         {{"app_id", *normalized}});
  }
  return *std::move(normalized);
}

std::optional<absl::StatusOr<v1::BackInStockSettings>> SettingsManager::AnswerWithoutWriting(
    absl::string_view site, absl::string_view app_id, bool collecting) const {
  absl::StatusOr<std::string> normalized = SupportedAppId(app_id);
  if (!normalized.ok()) return normalized.status();
  absl::StatusOr<store::SettingsRecord> current = store_->Get(site);
  if (!current.ok()) return current.status();
  if (CollectingIn(*current, *normalized) == collecting) return ToSettings(*current);
  return std::nullopt;
}

absl::StatusOr<v1::BackInStockSettings> SettingsManager::SetCollecting(absl::string_view site,
                                                                       absl::string_view app_id,
                                                                       bool collecting) {
  absl::StatusOr<std::string> normalized = SupportedAppId(app_id);
  if (!normalized.ok()) return normalized.status();

  return RetryLostRaces<v1::BackInStockSettings>(
      [&]() -> WriteAttempt<v1::BackInStockSettings> {
        absl::StatusOr<store::SettingsRecord> current = store_->Get(site);
        if (!current.ok()) return current.status();
        if (CollectingIn(*current, *normalized) == collecting) return ToSettings(*current);

        store::SettingsRecord next = *current;
        next.revision = current->revision + 1;
        bool found = false;
        for (auto& state : next.states) {
          if (state.app_id == *normalized) {
            state.collecting = collecting;
            found = true;
          }
        }
        if (!found) next.states.push_back({*normalized, collecting});
        return AnswerTo(store_->CompareAndSwap(site, current->revision, next), ToSettings(next));
      },
      [&] { return KeptChanging(absl::StrCat("settings of site ", site)); });
}

absl::StatusOr<bool> SettingsManager::IsCollecting(absl::string_view site,
                                                   absl::string_view app_id) const {
  std::optional<std::string> normalized = NormalizeGuid(app_id);
  if (!normalized || !IsSupported(*normalized)) return false;
  absl::StatusOr<store::SettingsRecord> record = store_->Get(site);
  if (!record.ok()) return record.status();
  if (CollectingIn(*record, *normalized)) return true;
  // About to refuse: make sure this is not a replica's stale view of a Start
  // made through another one. If the store cannot tell (no quorum, or this
  // replica far behind), say so (UNAVAILABLE, retryable) rather than give a
  // refusal a client would not retry.
  if (absl::Status caught_up = store_->CatchUp(); !caught_up.ok()) return caught_up;
  record = store_->Get(site);
  if (!record.ok()) return record.status();
  return CollectingIn(*record, *normalized);
}

}  // namespace backinstock::domain
