// Parses a filter in the Wix query-language shape (a google.protobuf.Struct)
// into a Filter tree. Everything it does not know is refused, never ignored.
//
// Shape: an object whose keys are field names (AND-ed together) or $and / $or
// (arrays of filter objects) or $not (one filter object). A field's value is
// either a bare literal (meaning $eq) or an object of operators, AND-ed:
//   $eq $ne          literal
//   $in              array of literals (at most 100)
//   $exists          true / false
//   $startsWith      text; id, contactId and itemUrl only
//   $gt $gte $lt $lte literal; id, contactId, itemUrl and createdDate only
// Literals: text for id, contactId, itemUrl; a status name (RECEIVED,
// PROCESSING, NOTIFICATION_SENT, FAILED) for status; true / false for
// autoNotified; an RFC 3339 date-time string for createdDate (compared as an
// instant, so any offset works). null is not a literal: use $exists.
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_PARSER_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_PARSER_H_

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "server/domain/query/filter.h"

namespace backinstock::domain::query {

// Bounds that keep evaluation cheap.
inline constexpr int kMaxFilterDepth = 8;         // nested $and / $or / $not
inline constexpr int kMaxFilterConditions = 100;  // field conditions in all
inline constexpr int kMaxInOperands = 100;
// Every object, list element, condition and $in value costs one node: a
// filter is work for every request of a page scan, so its size is bounded as
// a whole, not only per kind.
inline constexpr int kMaxFilterNodes = 1000;
// The serialized filter travels inside every cursor; it is bounded so that
// any accepted query also has usable cursors.
inline constexpr size_t kMaxFilterBytes = 16 << 10;

// The filter tree, or INVALID_ARGUMENT with reason INVALID_FILTER and a
// BadRequest whose field is the path of the offending key or value, e.g.
// "query.filter.$or[1].price" with `unknown field "price" ...`.
absl::StatusOr<Filter> ParseFilter(const google::protobuf::Struct& filter);

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_PARSER_H_
