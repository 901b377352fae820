// Sort orders of a query: the caller's keys (default createdDate ascending)
// followed by id ascending, so that the order is total and keyset paging can
// name a position by one item's sort values.
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_SORT_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_SORT_H_

#include <vector>

#include "absl/status/statusor.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "google/protobuf/repeated_field.h"
#include "server/domain/query/fields.h"

namespace backinstock::domain::query {

struct SortKey {
  Field field = Field::kCreatedDate;
  bool descending = false;

  bool operator==(const SortKey& other) const {
    return field == other.field && descending == other.descending;
  }
};

// Always ends with an id key, which makes the order total.
using SortOrder = std::vector<SortKey>;

// The effective order of a query's `sort`: each field at most once, known
// names only; INVALID_ARGUMENT (reason INVALID_SORT, BadRequest on
// "query.sort[i].field_name" or ".order") otherwise.
absl::StatusOr<SortOrder> ParseSort(const google::protobuf::RepeatedPtrField<v1::Sorting>& sort);

// The request's values for each key of `order`.
std::vector<Value> SortValues(const SortOrder& order,
                              const v1::BackInStockNotificationRequest& request);

// <0 when `a` comes before `b` in `order`, 0 when equal, >0 after. Both are
// SortValues of the same order.
int CompareSortValues(const SortOrder& order, const std::vector<Value>& a,
                      const std::vector<Value>& b);

// The same comparisons read in place from the requests (no Values built):
// <0 when `a` comes before `b` (or before `position`, SortValues of `order`).
int CompareRequests(const SortOrder& order, const v1::BackInStockNotificationRequest& a,
                    const v1::BackInStockNotificationRequest& b);
int CompareRequestToPosition(const SortOrder& order,
                             const v1::BackInStockNotificationRequest& request,
                             const std::vector<Value>& position);

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_SORT_H_
