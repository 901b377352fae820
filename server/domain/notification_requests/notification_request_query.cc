// NotificationRequestManager::Query: filter, sort and keyset paging over a
// snapshot of the site's requests.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/query/page.h"

namespace backinstock::domain {
namespace {

bool HasFilter(const v1::PlatformQuery& query) {
  return query.has_filter() && !query.filter().fields().empty();
}

absl::Status CursorMismatch(absl::string_view what) {
  return errors::InvalidField("query.cursor_paging.cursor",
                              absl::StrCat("the cursor belongs to a query with another ", what,
                                           "; with a cursor, send the same ", what, " or none"),
                              "INVALID_CURSOR");
}

}  // namespace

absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> NotificationRequestManager::Query(
    absl::string_view site, const v1::PlatformQuery& query) const {
  v1::QueryBackInStockNotificationRequestsResponse response;
  if (absl::Status status = QueryInto(site, query, &response); !status.ok()) return status;
  return response;
}

absl::Status NotificationRequestManager::QueryInto(
    absl::string_view site, const v1::PlatformQuery& query,
    v1::QueryBackInStockNotificationRequestsResponse* out) const {
  const int requested_limit = query.cursor_paging().limit();
  if (requested_limit < 0 || requested_limit > query::kMaxLimit) {
    return errors::InvalidField(
        "query.cursor_paging.limit",
        absl::StrCat("limit ", requested_limit, " is outside 1..", query::kMaxLimit,
                     " (0 means the default, ", query::kDefaultLimit, ")"));
  }

  // The query this page belongs to: the cursor's, or the request's own.
  query::CursorState state;
  std::optional<query::Anchor> from;
  if (!query.cursor_paging().cursor().empty()) {
    absl::StatusOr<query::CursorState> decoded =
        cursors_.Decode(site, query.cursor_paging().cursor());
    if (!decoded.ok()) return decoded.status();
    state = *std::move(decoded);
    if (HasFilter(query) && query::CanonicalFilter(query.filter()) != state.filter) {
      return CursorMismatch("filter");
    }
    if (query.sort_size() > 0) {
      absl::StatusOr<query::SortOrder> order = query::ParseSort(query.sort());
      if (!order.ok()) return order.status();
      if (*order != state.order) return CursorMismatch("sort");
    }
    from = state.anchor;
  } else {
    absl::StatusOr<query::SortOrder> order = query::ParseSort(query.sort());
    if (!order.ok()) return order.status();
    state.order = *std::move(order);
    state.filter = HasFilter(query) ? query::CanonicalFilter(query.filter()) : "";
  }
  // Otherwise the cursor's page size, or the default for a first page.
  if (requested_limit > 0) state.limit = requested_limit;

  // A first page evaluates the request's own filter (its canonical bytes,
  // built above, go into the page's cursors); a later page the cursor's.
  absl::StatusOr<query::Filter> filter;
  if (from) {
    google::protobuf::Struct filter_struct;
    if (!filter_struct.ParseFromString(state.filter)) {
      return absl::InternalError("a cursor's filter no longer parses");
    }
    filter = query::ParseFilter(filter_struct);
  } else {
    filter = query::ParseFilter(query.filter());
  }
  if (!filter.ok()) return filter.status();

  absl::StatusOr<store::RecordList> records = store_->List(site);
  if (!records.ok()) return records.status();
  std::vector<const v1::BackInStockNotificationRequest*> requests;
  requests.reserve((*records)->size());
  for (const store::RecordPtr& record : **records) requests.push_back(&record->request);

  const query::Page page = query::SelectPage(requests, *filter, state.order, state.limit, from);
  // The cursors first: nothing is written to `out` until nothing can fail, so
  // a refused query leaves it as it was.
  // No anchor, no cursor (nullopt): the page is the first or the last.
  auto cursor_at = [&](const std::optional<query::Anchor>& anchor)
      -> absl::StatusOr<std::optional<std::string>> {
    if (!anchor) return std::nullopt;
    query::CursorState at = state;
    at.anchor = *anchor;
    absl::StatusOr<std::string> cursor = cursors_.Encode(site, at);
    if (!cursor.ok()) return cursor.status();
    return *std::move(cursor);
  };
  absl::StatusOr<std::optional<std::string>> next = cursor_at(page.next);
  if (!next.ok()) return next.status();
  absl::StatusOr<std::optional<std::string>> prev = cursor_at(page.prev);
  if (!prev.ok()) return prev.status();

  v1::QueryBackInStockNotificationRequestsResponse& response = *out;
  response.Clear();
  response.mutable_requests()->Reserve(static_cast<int>(page.items.size()));
  if (google::protobuf::Arena* arena = response.GetArena()) {
    // On the call's arena (the service's case): the page refers to the
    // stored requests instead of copying them. Stored records never change
    // (an update stores a new one), and the arena keeps them alive until it
    // is reset, after the response was sent; an arena never deletes the
    // elements of its repeated fields, so they stay the store's.
    for (size_t index : page.items) {
      response.mutable_requests()->UnsafeArenaAddAllocated(
          const_cast<v1::BackInStockNotificationRequest*>(requests[index]));
    }
    arena->Own(new store::RecordList(*std::move(records)));
  } else {
    for (size_t index : page.items) *response.add_requests() = *requests[index];
  }
  v1::PagingMetadata* metadata = response.mutable_metadata();
  metadata->set_count(static_cast<int32_t>(page.items.size()));
  if (*next) metadata->mutable_cursors()->set_next(**std::move(next));
  if (*prev) metadata->mutable_cursors()->set_prev(**std::move(prev));
  return absl::OkStatus();
}

}  // namespace backinstock::domain
