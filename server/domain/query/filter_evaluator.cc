#include "server/domain/query/filter_evaluator.h"

#include "absl/strings/match.h"

namespace backinstock::domain::query {
namespace {

bool Holds(const Condition& condition, const v1::BackInStockNotificationRequest& request) {
  if (condition.op == Operator::kExists) {
    return FieldExists(request, condition.field) == std::get<bool>(condition.operands.front());
  }
  // A view, not a Value: this runs for every request a query scans.
  const FieldView value = FieldViewOf(request, condition.field);
  const bool absent = std::holds_alternative<std::monostate>(value);
  switch (condition.op) {
    case Operator::kEq:
      return !absent && CompareViewToValue(value, condition.operands.front()) == 0;
    case Operator::kNe:
      return absent || CompareViewToValue(value, condition.operands.front()) != 0;
    case Operator::kIn:
      if (absent) return false;
      for (const Value& operand : condition.operands) {
        if (CompareViewToValue(value, operand) == 0) return true;
      }
      return false;
    case Operator::kStartsWith:
      return !absent && absl::StartsWith(std::get<absl::string_view>(value),
                                         std::get<std::string>(condition.operands.front()));
    case Operator::kGt:
      return !absent && CompareViewToValue(value, condition.operands.front()) > 0;
    case Operator::kGte:
      return !absent && CompareViewToValue(value, condition.operands.front()) >= 0;
    case Operator::kLt:
      return !absent && CompareViewToValue(value, condition.operands.front()) < 0;
    case Operator::kLte:
      return !absent && CompareViewToValue(value, condition.operands.front()) <= 0;
    case Operator::kExists:
      break;
  }
  return false;
}

}  // namespace

bool Matches(const Filter& filter, const v1::BackInStockNotificationRequest& request) {
  switch (filter.kind) {
    case Filter::Kind::kAnd:
      for (const Filter& child : filter.children) {
        if (!Matches(child, request)) return false;
      }
      return true;
    case Filter::Kind::kOr:
      for (const Filter& child : filter.children) {
        if (Matches(child, request)) return true;
      }
      return false;
    case Filter::Kind::kNot:
      return !Matches(filter.children.front(), request);
    case Filter::Kind::kCondition:
      return Holds(filter.condition, request);
  }
  return false;
}

}  // namespace backinstock::domain::query
