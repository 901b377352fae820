// A parsed query filter: a tree of $and / $or / $not over field conditions.
// Built by ParseFilter (filter_parser.h), evaluated by Matches
// (filter_evaluator.h).
#ifndef BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_H_
#define BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_H_

#include <vector>

#include "server/domain/query/fields.h"

namespace backinstock::domain::query {

enum class Operator { kEq, kNe, kIn, kExists, kStartsWith, kGt, kGte, kLt, kLte };

// One test of one field, e.g. createdDate $gte 2026-01-01T00:00:00Z.
struct Condition {
  Field field = Field::kId;
  Operator op = Operator::kEq;
  // One operand, except $in (any number, possibly none). $exists holds a bool.
  std::vector<Value> operands;
};

struct Filter {
  enum class Kind {
    kAnd,        // every child matches (no children: everything matches)
    kOr,         // some child matches
    kNot,        // the one child does not match
    kCondition,  // `condition` holds
  };
  Kind kind = Kind::kAnd;
  std::vector<Filter> children;
  Condition condition;
};

}  // namespace backinstock::domain::query

#endif  // BACKINSTOCK_SERVER_DOMAIN_QUERY_FILTER_H_
