#include "server/domain/notification_requests/record_update.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::domain {

absl::StatusOr<RecordUpdate> UpdateRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<
        std::optional<store::NotificationRequestRecord>(const store::NotificationRequestRecord&)>
        change) {
  for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
    absl::StatusOr<store::RecordPtr> current = store.Get(site, id);
    if (!current.ok()) return current.status();
    std::optional<store::NotificationRequestRecord> next = change(**current);
    if (!next) return RecordUpdate{*std::move(current), false};
    next->revision = (*current)->revision + 1;
    auto written = std::make_shared<const store::NotificationRequestRecord>(*std::move(next));
    absl::Status swapped = store.CompareAndSwap(site, (*current)->revision, *written);
    if (swapped.ok()) return RecordUpdate{std::move(written), true};
    if (!absl::IsAborted(swapped)) return swapped;
  }
  return errors::Error(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION",
                       absl::StrCat("request ", id, " kept changing; try again"));
}

}  // namespace backinstock::domain
