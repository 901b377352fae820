// The fields a query may filter and sort on, and the typed values they take.
// One request's field value and a filter's literal are both a Value, so the
// evaluator, the sort and the cursor compare them with the same rules.
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_FIELDS_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "absl/strings/string_view.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::domain::query {

// In the order of the proto fields; the numbers are part of the cursor format.
enum class Field : int {
  kId = 0,
  kContactId = 1,
  kStatus = 2,
  kAutoNotified = 3,
  kCreatedDate = 4,
  kItemUrl = 5,
};
inline constexpr int kFieldCount = 6;

// Absent (monostate) sorts before every present value. Strings compare as
// bytes; status as its enum number (the lifecycle order RECEIVED, PROCESSING,
// NOTIFICATION_SENT, FAILED); createdDate as nanoseconds since the Unix epoch
// (saturated, so dates beyond 1678..2262 still order correctly against
// stored ones); autoNotified false before true.
using Value = std::variant<std::monostate, bool, int64_t, std::string>;

// A field's value read in place: text as a view into the request (valid while
// the request lives and is not modified), otherwise as in Value. The query
// path compares and sorts on views so that scanning a site copies no strings;
// a Value is built only for what outlives the scan (a page's anchors).
using FieldView = std::variant<std::monostate, bool, int64_t, absl::string_view>;

// The JSON field name ("contactId") of a field, and back (exact match).
absl::string_view FieldName(Field field);
std::optional<Field> ParseFieldName(absl::string_view name);

// Whether the field holds text ($startsWith applies) and whether it is ordered
// ($gt $gte $lt $lte apply).
bool IsTextField(Field field);
bool IsOrderedField(Field field);

// The field's value in `request`. Text fields are never absent (an empty
// itemUrl is ""); autoNotified and createdDate are absent when unset.
Value FieldValue(const v1::BackInStockNotificationRequest& request, Field field);

// FieldValue without the copy; the same kinds in the same alternatives.
FieldView FieldViewOf(const v1::BackInStockNotificationRequest& request, Field field);

// The Value a view stands for (copies text).
Value ToValue(const FieldView& view);

// Whether the field is set: non-empty text, a status, a set wrapper or date.
bool FieldExists(const v1::BackInStockNotificationRequest& request, Field field);

namespace fields_internal {

// One rule for Values and views: both variants hold absent, bool, int64 and
// text at the same indexes, and text compares as bytes either way. Inline:
// a page selection compares thousands of times per query.
template <typename A, typename B>
inline int Compare(const std::variant<std::monostate, bool, int64_t, A>& a,
                   const std::variant<std::monostate, bool, int64_t, B>& b) {
  if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;
  switch (a.index()) {
    case 0:
      return 0;
    case 1: {
      const bool x = *std::get_if<bool>(&a), y = *std::get_if<bool>(&b);
      return x == y ? 0 : (x ? 1 : -1);
    }
    case 2: {
      const int64_t x = *std::get_if<int64_t>(&a), y = *std::get_if<int64_t>(&b);
      return x == y ? 0 : (x < y ? -1 : 1);
    }
    default: {
      const int c =
          absl::string_view(*std::get_if<A>(&a)).compare(absl::string_view(*std::get_if<B>(&b)));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

}  // namespace fields_internal

// <0, 0, >0. Values of different kinds order by kind (absent first).
inline int CompareValues(const Value& a, const Value& b) { return fields_internal::Compare(a, b); }

// CompareValues with a view on either side; same results as comparing the
// Values the views stand for.
inline int CompareViews(const FieldView& a, const FieldView& b) {
  return fields_internal::Compare(a, b);
}
inline int CompareViewToValue(const FieldView& a, const Value& b) {
  return fields_internal::Compare(a, b);
}

// Whether `value` is of the kind `field` takes (absent allowed where the field
// may be unset); used to check decoded cursors.
bool ValueFitsField(const Value& value, Field field);

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_FIELDS_H_
