#include "server/store/notification_request_store.h"

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::store {
namespace {

using Request = v1::BackInStockNotificationRequest;

constexpr char kMisnamed[] = "MISNAMED_STORE_WRITE";

const char* NameOf(ClaimChange change) {
  switch (change) {
    case ClaimChange::kNone:
      return "CompareAndSwap";
    case ClaimChange::kClaim:
      return "Claim";
    case ClaimChange::kRelease:
      return "Release";
  }
  return "?";
}

bool IsProcessing(Request::Status status) { return status == Request::PROCESSING; }

// What `next` alone shows: whether its status can be where `change` ends.
absl::Status CheckEnd(ClaimChange change, Request::Status after) {
  const bool fits = change == ClaimChange::kClaim     ? IsProcessing(after)
                    : change == ClaimChange::kRelease ? !IsProcessing(after)
                                                      : true;
  if (fits) return absl::OkStatus();
  return errors::Error(absl::StatusCode::kInvalidArgument, kMisnamed,
                       absl::StrCat(NameOf(change), " cannot write a request with status ",
                                    Request::Status_Name(after)));
}

}  // namespace

RecordList EmptyRecordList() {
  static const RecordList* const empty = new RecordList(std::make_shared<std::vector<RecordPtr>>());
  return *empty;
}

absl::Status CheckClaimChange(ClaimChange change, Request::Status before, Request::Status after) {
  bool named = false;
  switch (change) {
    case ClaimChange::kNone:
      named = IsProcessing(before) == IsProcessing(after);
      break;
    case ClaimChange::kClaim:
      named = before == Request::RECEIVED && IsProcessing(after);
      break;
    case ClaimChange::kRelease:
      named = IsProcessing(before) && !IsProcessing(after);
      break;
  }
  if (named) return absl::OkStatus();
  return errors::Error(
      absl::StatusCode::kFailedPrecondition, kMisnamed,
      absl::StrCat(NameOf(change), " cannot move a request from ", Request::Status_Name(before),
                   " to ", Request::Status_Name(after)));
}

absl::Status NotificationRequestStore::Write(ClaimChange change, absl::string_view site,
                                             int64_t expected_revision,
                                             const NotificationRequestRecord& next) {
  if (absl::Status follows = CheckRevisionFollows(expected_revision, next.revision);
      !follows.ok()) {
    return follows;
  }
  if (absl::Status end = CheckEnd(change, next.request.status()); !end.ok()) return end;
  return DoCompareAndSwap(site, expected_revision, next, change);
}

}  // namespace backinstock::store
