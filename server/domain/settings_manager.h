// The Back In Stock Settings rules (proto/backinstock/v1/settings.proto): defaults for untouched
// sites, idempotent Start/Stop, revisions that move only on real change. Pure logic over a
// SettingsStore; no gRPC types.
#ifndef BACKINSTOCK_SERVER_DOMAIN_SETTINGS_MANAGER_H_
#define BACKINSTOCK_SERVER_DOMAIN_SETTINGS_MANAGER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backinstock/v1/settings.pb.h"
#include "server/store/settings_store.h"

namespace backinstock::domain {

// The Wix Stores app, the default supported app.
inline constexpr absl::string_view kWixStoresAppId = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

// Parses and checks a comma-separated list of supported app ids: each a GUID,
// stored in lower case, no duplicates, at least one.
absl::StatusOr<std::vector<std::string>> ParseSupportedAppIds(absl::string_view csv);

class SettingsManager {
 public:
  // `supported_app_ids`: lower-case GUIDs in the order settings list them.
  SettingsManager(store::SettingsStore* store, std::vector<std::string> supported_app_ids)
      : store_(store), supported_app_ids_(std::move(supported_app_ids)) {}

  absl::StatusOr<v1::BackInStockSettings> Get(absl::string_view site) const;

  // Start (collecting = true) or Stop (false). `app_id` as the caller sent it.
  absl::StatusOr<v1::BackInStockSettings> SetCollecting(absl::string_view site,
                                                        absl::string_view app_id, bool collecting);

  // SetCollecting's answer when it needs no write, without blocking: the
  // error for an invalid or unsupported app id, or the current settings when
  // the app is already in the requested state. nullopt when the call must
  // write (so may wait on the store): then SetCollecting does the rest.
  std::optional<absl::StatusOr<v1::BackInStockSettings>> AnswerWithoutWriting(
      absl::string_view site, absl::string_view app_id, bool collecting) const;

  // Whether `app_id` (any case) collects requests on `site`; false for an app
  // that is not supported. A "no" is confirmed against the store's latest
  // state (SettingsStore::CatchUp) before it is given; when it cannot be,
  // the store's error (UNAVAILABLE) is returned instead.
  absl::StatusOr<bool> IsCollecting(absl::string_view site, absl::string_view app_id) const;

  // The settings a caller sees for a stored record: one state per supported
  // app, in the configured order.
  v1::BackInStockSettings ToSettings(const store::SettingsRecord& record) const;

  bool IsSupported(absl::string_view normalized_app_id) const;

 private:
  // `app_id` normalised, or the error a Start or Stop answers for it.
  absl::StatusOr<std::string> SupportedAppId(absl::string_view app_id) const;

  store::SettingsStore* store_;
  const std::vector<std::string> supported_app_ids_;
};

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_SETTINGS_MANAGER_H_
