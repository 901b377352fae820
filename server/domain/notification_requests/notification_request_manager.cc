#include "server/domain/notification_requests/notification_request_manager.h"

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/util/time_util.h"
#include "server/domain/guid.h"
#include "server/domain/notification_requests/ids.h"
#include "server/domain/notification_requests/record_update.h"
#include "server/domain/notification_requests/validation.h"
#include "server/store/catalog_key.h"

namespace backinstock::domain {
namespace {

using Request = v1::BackInStockNotificationRequest;

constexpr int kMaxCountReferences = 100;
constexpr char kNotFound[] = "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND";

// The id is the caller's: bounded in the message, and echoed in the metadata
// only when it could be an id at all.
absl::Status NotFound(absl::StatusCode code, absl::string_view site, absl::string_view id) {
  constexpr size_t kMaxEchoedId = 64;
  const std::string message =
      absl::StrCat("site ", site, " has no notification request ", errors::Quoted(id));
  if (id.size() > kMaxEchoedId) return errors::Error(code, kNotFound, message);
  return errors::Error(code, kNotFound, message, {{"id", id}});
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  const int64_t nanos = absl::ToUnixNanos(time);
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(nanos);
}

}  // namespace

absl::StatusOr<Request> NotificationRequestManager::Create(
    absl::string_view site, const v1::CreateBackInStockNotificationRequestRequest& create) {
  absl::StatusOr<Request> request = ValidateCreate(create);
  if (!request.ok()) return request.status();
  const std::string& app_id = request->catalog_reference().app_id();
  absl::StatusOr<bool> collecting = settings_->IsCollecting(site, app_id);
  if (!collecting.ok()) return collecting.status();
  if (!*collecting) {
    return errors::Error(
        absl::StatusCode::kFailedPrecondition, "REQUEST_COLLECTION_DISABLED",
        absl::StrCat("app ", app_id, " does not collect back-in-stock requests on site ", site,
                     " (StartCollectingRequests turns it on)"),
        {{"app_id", app_id}});
  }
  absl::StatusOr<std::string> id = NewRequestId();
  if (!id.ok()) return id.status();
  request->set_id(*id);
  request->set_contact_id(ContactId(site, request->email()));
  request->set_status(Request::RECEIVED);
  *request->mutable_created_date() = ToTimestamp(options_.clock());

  store::NotificationRequestRecord record;
  record.revision = 1;
  record.request = *request;
  absl::StatusOr<store::CreateResult> created =
      store_->Create(site, record, options_.max_requests_per_site);
  if (!created.ok()) return created.status();
  switch (created->outcome) {
    case store::CreateResult::Outcome::kCreated:
      return *std::move(request);
    case store::CreateResult::Outcome::kDuplicate:
      return errors::Error(
          absl::StatusCode::kAlreadyExists, "BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS",
          absl::StrCat("request ", created->existing_id,
                       " already waits for this item (same catalog reference and email)"),
          {{"id", created->existing_id}});
    case store::CreateResult::Outcome::kSiteFull:
      return errors::Error(
          absl::StatusCode::kResourceExhausted, "SITE_REQUEST_LIMIT_REACHED",
          absl::StrCat("site ", site, " holds ", options_.max_requests_per_site,
                       " notification requests, the most allowed; delete some first"),
          {{"limit", absl::StrCat(options_.max_requests_per_site)}});
  }
  return absl::InternalError("unknown create outcome");
}

absl::StatusOr<Request> NotificationRequestManager::Get(absl::string_view site,
                                                        absl::string_view id) const {
  if (absl::Status valid = ValidateIdArgument(id); !valid.ok()) return valid;
  std::optional<std::string> normalized = NormalizeGuid(id);
  if (!normalized) return NotFound(absl::StatusCode::kNotFound, site, id);
  absl::StatusOr<store::RecordPtr> record = store_->Get(site, *normalized);
  if (absl::IsNotFound(record.status())) return NotFound(absl::StatusCode::kNotFound, site, id);
  if (!record.ok()) return record.status();
  return (*record)->request;
}

absl::Status NotificationRequestManager::Delete(absl::string_view site, absl::string_view id) {
  if (absl::Status valid = ValidateIdArgument(id); !valid.ok()) return valid;
  std::optional<std::string> normalized = NormalizeGuid(id);
  if (!normalized) return NotFound(absl::StatusCode::kNotFound, site, id);
  absl::StatusOr<RecordDeletion> deleted = DeleteRecord(
      *store_, site, *normalized, [](const store::NotificationRequestRecord&) { return true; });
  if (absl::IsNotFound(deleted.status())) return NotFound(absl::StatusCode::kNotFound, site, id);
  return deleted.status();
}

absl::StatusOr<Request> NotificationRequestManager::MarkAsNotificationSent(absl::string_view site,
                                                                           absl::string_view id) {
  if (absl::Status valid = ValidateIdArgument(id); !valid.ok()) return valid;
  std::optional<std::string> normalized = NormalizeGuid(id);
  if (!normalized) return NotFound(absl::StatusCode::kFailedPrecondition, site, id);
  absl::StatusOr<RecordUpdate> update = UpdateRecord(
      *store_, site, *normalized,
      [now = options_.clock()](
          const store::NotificationRequestRecord& current) -> std::optional<NextRecord> {
        const Request& request = current.request;
        // Already in the state asked for: nothing changes, no event.
        if (request.status() == Request::NOTIFICATION_SENT && request.has_auto_notified() &&
            !request.auto_notified().value()) {
          return std::nullopt;
        }
        // Marking a PROCESSING request ends its claim: its queued email sees
        // the new revision and is not sent.
        NextRecord next{current, request.status() == Request::PROCESSING
                                     ? store::ClaimChange::kRelease
                                     : store::ClaimChange::kNone};
        store::SetStatus(next.record, Request::NOTIFICATION_SENT, now);
        next.record.request.mutable_auto_notified()->set_value(false);
        return next;
      });
  if (absl::IsNotFound(update.status())) {
    return NotFound(absl::StatusCode::kFailedPrecondition, site, id);
  }
  if (!update.ok()) return update.status();
  return update->record->request;
}

absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
NotificationRequestManager::Count(
    absl::string_view site,
    const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request) const {
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse response;
  if (absl::Status counted = CountInto(site, request, &response); !counted.ok()) return counted;
  return response;
}

absl::Status NotificationRequestManager::CountInto(
    absl::string_view site,
    const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
    v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse* response) const {
  const int given = request.catalog_references_size();
  if (given == 0) {
    return errors::InvalidField("catalog_references", "give 1 to 100 catalog references");
  }
  if (given > kMaxCountReferences) {
    return errors::InvalidField("catalog_references",
                                absl::StrCat(given, " catalog references given; at most ",
                                             kMaxCountReferences, " per call"));
  }
  std::vector<std::string> keys;
  keys.reserve(given);
  for (int i = 0; i < given; ++i) {
    absl::StatusOr<std::string> key =
        CatalogKeyOf(request.catalog_references(i), {"catalog_references", i});
    if (!key.ok()) return key.status();
    keys.push_back(*std::move(key));
  }
  absl::StatusOr<std::vector<int64_t>> counts = store_->CountOpen(site, keys);
  if (!counts.ok()) return counts.status();
  response->mutable_counts_per_catalog_reference()->Reserve(given);
  for (int i = 0; i < given; ++i) {
    auto* count = response->add_counts_per_catalog_reference();
    *count->mutable_catalog_reference() = request.catalog_references(i);
    count->set_count(static_cast<int32_t>((*counts)[i]));
  }
  return absl::OkStatus();
}

}  // namespace backinstock::domain
