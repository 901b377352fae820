#include "server/domain/notification_requests/record_update.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace backinstock::domain {
namespace {

absl::Status RequestKeptChanging(absl::string_view id) {
  return KeptChanging(absl::StrCat("request ", id), "id", id);
}

}  // namespace

absl::StatusOr<RecordUpdate> UpdateRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<std::optional<NextRecord>(const store::NotificationRequestRecord&)> change) {
  return RetryLostRaces<RecordUpdate>(
      [&]() -> WriteAttempt<RecordUpdate> {
        absl::StatusOr<store::RecordPtr> current = store.Get(site, id);
        if (!current.ok()) return current.status();
        std::optional<NextRecord> next = change(**current);
        if (!next) return RecordUpdate{*std::move(current), false};
        next->record.revision = (*current)->revision + 1;
        auto written =
            std::make_shared<const store::NotificationRequestRecord>(std::move(next->record));
        const absl::Status swapped = store.Write(next->claim, site, (*current)->revision, *written);
        return AnswerTo(swapped, RecordUpdate{std::move(written), true});
      },
      [&] { return RequestKeptChanging(id); });
}

absl::StatusOr<RecordDeletion> DeleteRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<bool(const store::NotificationRequestRecord&)> wanted, int max_attempts) {
  return RetryLostRaces<RecordDeletion>(
      [&]() -> WriteAttempt<RecordDeletion> {
        absl::StatusOr<store::RecordPtr> current = store.Get(site, id);
        if (!current.ok()) return current.status();
        if (!wanted(**current)) return RecordDeletion{*std::move(current), false};
        const absl::Status deleted = store.Delete(site, id, (*current)->revision);
        return AnswerTo(deleted, RecordDeletion{*std::move(current), true});
      },
      [&] { return RequestKeptChanging(id); }, max_attempts);
}

}  // namespace backinstock::domain
