#include "server/domain/notification_requests/record_update.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::domain {
namespace {

absl::Status KeptChanging(absl::string_view id) {
  return errors::Error(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                       absl::StrCat("request ", id, " kept changing under this call; try again"),
                       {{"id", id}});
}

}  // namespace

absl::StatusOr<RecordUpdate> UpdateRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<std::optional<NextRecord>(const store::NotificationRequestRecord&)> change) {
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    absl::StatusOr<store::RecordPtr> current = store.Get(site, id);
    if (!current.ok()) return current.status();
    std::optional<NextRecord> next = change(**current);
    if (!next) return RecordUpdate{*std::move(current), false};
    next->record.revision = (*current)->revision + 1;
    auto written =
        std::make_shared<const store::NotificationRequestRecord>(std::move(next->record));
    absl::Status swapped = store.Write(next->claim, site, (*current)->revision, *written);
    if (swapped.ok()) return RecordUpdate{std::move(written), true};
    if (!absl::IsAborted(swapped)) return swapped;
  }
  return KeptChanging(id);
}

absl::StatusOr<RecordDeletion> DeleteRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<bool(const store::NotificationRequestRecord&)> wanted) {
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    absl::StatusOr<store::RecordPtr> current = store.Get(site, id);
    if (!current.ok()) return current.status();
    if (!wanted(**current)) return RecordDeletion{*std::move(current), false};
    absl::Status deleted = store.Delete(site, id, (*current)->revision);
    if (deleted.ok()) return RecordDeletion{*std::move(current), true};
    if (!absl::IsAborted(deleted)) return deleted;
  }
  return KeptChanging(id);
}

}  // namespace backinstock::domain
