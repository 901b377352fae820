// The read, decide, compare-and-swap loops every change of a stored request
// goes through (mark sent, a report's claim; delete, erase, the retention
// sweep), written once.
#ifndef BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_RECORD_UPDATE_H_
#define BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_RECORD_UPDATE_H_

#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/domain/write_retry.h"
#include "server/store/notification_request_store.h"

namespace backinstock::domain {

// The next state of a request, and the store write that makes it: what the
// change does to the request's claim (store::ClaimChange) is named by the
// code that decides the change, never inferred from the statuses.
struct NextRecord {
  store::NotificationRequestRecord record;
  store::ClaimChange claim = store::ClaimChange::kNone;
};

struct RecordUpdate {
  store::RecordPtr record;  // as written, or as found when `change` left it
  bool changed = false;
};

// Reads request `id` of `site`, asks `change` for its next state (nullopt:
// leave it), and writes that with the store write it names (CompareAndSwap,
// Claim or Release) on the revision read (the revision is set here); on
// ABORTED, reads again. NOT_FOUND when there is no such request (or it was
// deleted meanwhile); ABORTED, reason CONCURRENT_MODIFICATION, when it kept
// changing; the store's own errors.
absl::StatusOr<RecordUpdate> UpdateRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<std::optional<NextRecord>(const store::NotificationRequestRecord&)> change);

struct RecordDeletion {
  store::RecordPtr record;  // as deleted, or as found when `wanted` left it
  bool deleted = false;
};

// Reads request `id` of `site`, asks `wanted` whether to delete it as read
// (false: leave it), and deletes it with the revision read; on ABORTED, reads
// again, at most `max_attempts` times. Errors as UpdateRecord.
absl::StatusOr<RecordDeletion> DeleteRecord(
    store::NotificationRequestStore& store, absl::string_view site, absl::string_view id,
    absl::FunctionRef<bool(const store::NotificationRequestRecord&)> wanted,
    int max_attempts = kMaxWriteAttempts);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_RECORD_UPDATE_H_
