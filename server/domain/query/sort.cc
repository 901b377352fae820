#include "server/domain/query/sort.h"

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::domain::query {

absl::StatusOr<SortOrder> ParseSort(const google::protobuf::RepeatedPtrField<v1::Sorting>& sort) {
  SortOrder order;
  bool has_id = false;
  for (int i = 0; i < sort.size(); ++i) {
    const v1::Sorting& sorting = sort[i];
    const std::string path = absl::StrCat("query.sort[", i, "]");
    std::optional<Field> field = ParseFieldName(sorting.field_name());
    if (!field) {
      return errors::InvalidField(
          absl::StrCat(path, ".field_name"),
          absl::StrCat("cannot sort on ", errors::Quoted(sorting.field_name()),
                       "; sort fields are id, contactId, status, autoNotified, createdDate, "
                       "itemUrl"),
          "INVALID_SORT");
    }
    if (sorting.order() != v1::ASC && sorting.order() != v1::DESC) {
      return errors::InvalidField(
          absl::StrCat(path, ".order"),
          absl::StrCat("order ", static_cast<int>(sorting.order()), " is neither ASC nor DESC"),
          "INVALID_SORT");
    }
    for (const SortKey& key : order) {
      if (key.field == *field) {
        return errors::InvalidField(absl::StrCat(path, ".field_name"),
                                    absl::StrCat(sorting.field_name(), " is sorted on twice"),
                                    "INVALID_SORT");
      }
    }
    order.push_back({*field, sorting.order() == v1::DESC});
    has_id = has_id || *field == Field::kId;
  }
  if (order.empty()) order.push_back({Field::kCreatedDate, false});
  // Ids are unique: with id among the keys, the order is total.
  if (!has_id) order.push_back({Field::kId, false});
  return order;
}

std::vector<Value> SortValues(const SortOrder& order,
                              const v1::BackInStockNotificationRequest& request) {
  std::vector<Value> values;
  values.reserve(order.size());
  for (const SortKey& key : order) values.push_back(FieldValue(request, key.field));
  return values;
}

int CompareSortValues(const SortOrder& order, const std::vector<Value>& a,
                      const std::vector<Value>& b) {
  for (size_t i = 0; i < order.size(); ++i) {
    const int c = CompareValues(a[i], b[i]);
    if (c != 0) return order[i].descending ? -c : c;
  }
  return 0;
}

int CompareRequests(const SortOrder& order, const v1::BackInStockNotificationRequest& a,
                    const v1::BackInStockNotificationRequest& b) {
  for (const SortKey& key : order) {
    const int c = CompareViews(FieldViewOf(a, key.field), FieldViewOf(b, key.field));
    if (c != 0) return key.descending ? -c : c;
  }
  return 0;
}

int CompareRequestToPosition(const SortOrder& order,
                             const v1::BackInStockNotificationRequest& request,
                             const std::vector<Value>& position) {
  for (size_t i = 0; i < order.size(); ++i) {
    const int c = CompareViewToValue(FieldViewOf(request, order[i].field), position[i]);
    if (c != 0) return order[i].descending ? -c : c;
  }
  return 0;
}

}  // namespace backinstock::domain::query
