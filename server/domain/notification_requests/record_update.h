// The read, decide, compare-and-swap loop every change of a stored request
// goes through (mark sent, a report's claim), written once.
#ifndef BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_RECORD_UPDATE_H_
#define BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_RECORD_UPDATE_H_

#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/notification_request_store.h"

namespace backinstock::domain {

// How often one update reads again after another write got there first.
inline constexpr int kMaxUpdateAttempts = 64;

struct RecordUpdate {
  store::RecordPtr record;  // as written, or as found when `change` left it
  bool changed = false;
};

// Reads request `id` of `site`, asks `change` for its next state (nullopt:
// leave it), and writes that with a compare-and-swap on the revision read
// (the revision is set here); on ABORTED, reads again. NOT_FOUND when there is
// no such request (or it was deleted meanwhile); ABORTED, reason
// CONCURRENT_MODIFICATION, when it kept changing; the store's own errors.
absl::StatusOr<RecordUpdate> UpdateRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<
        std::optional<store::NotificationRequestRecord>(const store::NotificationRequestRecord&)>
        change);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_RECORD_UPDATE_H_
