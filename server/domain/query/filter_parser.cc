#include "server/domain/query/filter_parser.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "backinstock/errors/error.h"

namespace backinstock::domain::query {
namespace {

using google::protobuf::Struct;
using StructValue = google::protobuf::Value;

constexpr char kReason[] = "INVALID_FILTER";
constexpr char kFieldList[] = "id, contactId, status, autoNotified, createdDate, itemUrl";
constexpr char kOperatorList[] = "$eq $ne $in $exists $startsWith $gt $gte $lt $lte";

struct OperatorName {
  absl::string_view name;
  Operator op;
};
constexpr OperatorName kOperators[] = {
    {"$eq", Operator::kEq},
    {"$ne", Operator::kNe},
    {"$in", Operator::kIn},
    {"$exists", Operator::kExists},
    {"$startsWith", Operator::kStartsWith},
    {"$gt", Operator::kGt},
    {"$gte", Operator::kGte},
    {"$lt", Operator::kLt},
    {"$lte", Operator::kLte},
};

absl::string_view KindOf(const StructValue& value) {
  switch (value.kind_case()) {
    case StructValue::kNullValue:
      return "null";
    case StructValue::kNumberValue:
      return "a number";
    case StructValue::kStringValue:
      return "a string";
    case StructValue::kBoolValue:
      return "a boolean";
    case StructValue::kStructValue:
      return "an object";
    case StructValue::kListValue:
      return "an array";
    default:
      return "nothing";
  }
}

class Parser {
 public:
  absl::StatusOr<Filter> ParseObject(const Struct& object, const std::string& path, int depth) {
    if (absl::Status spent = Spend(path, 1 + object.fields_size()); !spent.ok()) return spent;
    if (depth > kMaxFilterDepth) {
      return Fail(path, absl::StrCat("filters nest at most ", kMaxFilterDepth, " levels deep"));
    }
    Filter all;
    all.kind = Filter::Kind::kAnd;
    // Struct fields are a map; visit keys in order so errors are deterministic.
    std::vector<std::string> keys;
    for (const auto& [key, value] : object.fields()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    for (const std::string& key : keys) {
      const StructValue& value = object.fields().at(key);
      const std::string key_path = absl::StrCat(path, ".", key);
      absl::StatusOr<Filter> child;
      if (key == "$and" || key == "$or") {
        child = ParseList(key == "$and" ? Filter::Kind::kAnd : Filter::Kind::kOr, value, key_path,
                          depth);
      } else if (key == "$not") {
        if (value.kind_case() != StructValue::kStructValue) {
          return Fail(key_path, absl::StrCat("$not takes a filter object, not ", KindOf(value)));
        }
        absl::StatusOr<Filter> inner = ParseObject(value.struct_value(), key_path, depth + 1);
        if (!inner.ok()) return inner.status();
        Filter negation;
        negation.kind = Filter::Kind::kNot;
        negation.children.push_back(*std::move(inner));
        child = std::move(negation);
      } else if (!key.empty() && key[0] == '$') {
        return Fail(key_path, absl::StrCat("unknown operator ", errors::Quoted(key),
                                           " here; a filter object takes field names or "
                                           "$and, $or, $not"));
      } else {
        child = ParseField(key, value, key_path);
      }
      if (!child.ok()) return child.status();
      all.children.push_back(*std::move(child));
    }
    if (all.children.size() == 1) return std::move(all.children.front());
    return all;
  }

 private:
  // Paths are built from the caller's keys: bounded, so that a hostile key
  // cannot make the error itself huge.
  static absl::Status Fail(const std::string& path, absl::string_view description) {
    constexpr size_t kMaxPath = 256;
    return errors::InvalidField(path.size() <= kMaxPath ? path : path.substr(0, kMaxPath) + "...",
                                description, kReason);
  }

  absl::Status Spend(const std::string& path, int nodes) {
    nodes_ += nodes;
    if (nodes_ <= kMaxFilterNodes) return absl::OkStatus();
    return Fail(path, absl::StrCat("a filter has at most ", kMaxFilterNodes,
                                   " objects, conditions and values in all"));
  }

  absl::StatusOr<Filter> ParseList(Filter::Kind kind, const StructValue& value,
                                   const std::string& path, int depth) {
    const absl::string_view name = kind == Filter::Kind::kAnd ? "$and" : "$or";
    if (value.kind_case() != StructValue::kListValue) {
      return Fail(path,
                  absl::StrCat(name, " takes an array of filter objects, not ", KindOf(value)));
    }
    if (value.list_value().values_size() == 0) {
      return Fail(path, absl::StrCat(name, " needs at least one filter object"));
    }
    Filter combined;
    combined.kind = kind;
    for (int i = 0; i < value.list_value().values_size(); ++i) {
      const StructValue& element = value.list_value().values(i);
      const std::string element_path = absl::StrCat(path, "[", i, "]");
      if (element.kind_case() != StructValue::kStructValue) {
        return Fail(element_path,
                    absl::StrCat(name, " takes filter objects, not ", KindOf(element)));
      }
      if (element.struct_value().fields().empty()) {
        return Fail(element_path, absl::StrCat(name, " takes non-empty filter objects"));
      }
      absl::StatusOr<Filter> child = ParseObject(element.struct_value(), element_path, depth + 1);
      if (!child.ok()) return child.status();
      combined.children.push_back(*std::move(child));
    }
    return combined;
  }

  absl::StatusOr<Filter> ParseField(const std::string& name, const StructValue& value,
                                    const std::string& path) {
    std::optional<Field> field = ParseFieldName(name);
    if (!field) {
      return Fail(path, absl::StrCat("unknown field ", errors::Quoted(name), "; filters take ",
                                     kFieldList));
    }
    if (value.kind_case() != StructValue::kStructValue) {
      return MakeCondition(*field, Operator::kEq, "$eq", value, path);
    }
    const Struct& operators = value.struct_value();
    if (operators.fields().empty()) {
      return Fail(path,
                  absl::StrCat("an empty object is not a condition; use one of ", kOperatorList));
    }
    std::vector<std::string> keys;
    for (const auto& [key, operand] : operators.fields()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    Filter all;
    all.kind = Filter::Kind::kAnd;
    for (const std::string& key : keys) {
      const std::string op_path = absl::StrCat(path, ".", key);
      const OperatorName* op = nullptr;
      for (const OperatorName& candidate : kOperators) {
        if (candidate.name == key) op = &candidate;
      }
      if (op == nullptr) {
        return Fail(op_path, absl::StrCat("unknown operator ", errors::Quoted(key), " on field ",
                                          name, "; operators are ", kOperatorList));
      }
      absl::StatusOr<Filter> condition =
          MakeCondition(*field, op->op, op->name, operators.fields().at(key), op_path);
      if (!condition.ok()) return condition.status();
      all.children.push_back(*std::move(condition));
    }
    if (all.children.size() == 1) return std::move(all.children.front());
    return all;
  }

  absl::StatusOr<Filter> MakeCondition(Field field, Operator op, absl::string_view op_name,
                                       const StructValue& operand, const std::string& path) {
    if (++conditions_ > kMaxFilterConditions) {
      return Fail(path,
                  absl::StrCat("a filter has at most ", kMaxFilterConditions, " field conditions"));
    }
    const absl::string_view field_name = FieldName(field);
    Filter filter;
    filter.kind = Filter::Kind::kCondition;
    filter.condition.field = field;
    filter.condition.op = op;
    switch (op) {
      case Operator::kExists:
        if (operand.kind_case() != StructValue::kBoolValue) {
          return Fail(path, absl::StrCat("$exists takes true or false, not ", KindOf(operand)));
        }
        filter.condition.operands.push_back(operand.bool_value());
        return filter;
      case Operator::kIn: {
        if (operand.kind_case() != StructValue::kListValue) {
          return Fail(path, absl::StrCat("$in takes an array, not ", KindOf(operand)));
        }
        if (operand.list_value().values_size() > kMaxInOperands) {
          return Fail(path, absl::StrCat("$in takes at most ", kMaxInOperands, " values"));
        }
        if (absl::Status spent = Spend(path, operand.list_value().values_size()); !spent.ok()) {
          return spent;
        }
        for (int i = 0; i < operand.list_value().values_size(); ++i) {
          absl::StatusOr<Value> literal =
              Literal(field, operand.list_value().values(i), absl::StrCat(path, "[", i, "]"));
          if (!literal.ok()) return literal.status();
          filter.condition.operands.push_back(*std::move(literal));
        }
        return filter;
      }
      case Operator::kStartsWith:
        if (!IsTextField(field)) {
          return Fail(path, absl::StrCat("$startsWith applies to id, contactId and itemUrl, not ",
                                         field_name));
        }
        break;
      case Operator::kGt:
      case Operator::kGte:
      case Operator::kLt:
      case Operator::kLte:
        if (!IsOrderedField(field)) {
          return Fail(path, absl::StrCat(op_name,
                                         " applies to id, contactId, itemUrl and "
                                         "createdDate, not ",
                                         field_name));
        }
        break;
      case Operator::kEq:
      case Operator::kNe:
        break;
    }
    absl::StatusOr<Value> literal = Literal(field, operand, path);
    if (!literal.ok()) return literal.status();
    filter.condition.operands.push_back(*std::move(literal));
    return filter;
  }

  // A literal of `field`'s kind.
  absl::StatusOr<Value> Literal(Field field, const StructValue& value, const std::string& path) {
    const absl::string_view name = FieldName(field);
    switch (field) {
      case Field::kId:
      case Field::kContactId:
      case Field::kItemUrl:
        if (value.kind_case() != StructValue::kStringValue) {
          return Fail(path, absl::StrCat(name, " is compared with a string, not ", KindOf(value)));
        }
        return Value(value.string_value());
      case Field::kStatus: {
        v1::BackInStockNotificationRequest::Status status;
        if (value.kind_case() != StructValue::kStringValue ||
            !v1::BackInStockNotificationRequest::Status_Parse(value.string_value(), &status) ||
            status == v1::BackInStockNotificationRequest::UNSPECIFIED) {
          return Fail(path, absl::StrCat("status is compared with RECEIVED, PROCESSING, "
                                         "NOTIFICATION_SENT or FAILED, not ",
                                         value.kind_case() == StructValue::kStringValue
                                             ? errors::Quoted(value.string_value())
                                             : std::string(KindOf(value))));
        }
        return Value(static_cast<int64_t>(status));
      }
      case Field::kAutoNotified:
        if (value.kind_case() != StructValue::kBoolValue) {
          return Fail(path, absl::StrCat("autoNotified is compared with true or false, not ",
                                         KindOf(value)));
        }
        return Value(value.bool_value());
      case Field::kCreatedDate: {
        absl::Time time;
        std::string error;
        if (value.kind_case() != StructValue::kStringValue ||
            !absl::ParseTime(absl::RFC3339_full, value.string_value(), &time, &error)) {
          return Fail(path, absl::StrCat("createdDate is compared with an RFC 3339 date-time "
                                         "string such as \"2026-01-31T12:00:00Z\", not ",
                                         value.kind_case() == StructValue::kStringValue
                                             ? errors::Quoted(value.string_value())
                                             : std::string(KindOf(value))));
        }
        return Value(absl::ToUnixNanos(time));
      }
    }
    return Fail(path, "unknown field");
  }

  int conditions_ = 0;
  int nodes_ = 0;
};

}  // namespace

absl::StatusOr<Filter> ParseFilter(const google::protobuf::Struct& filter) {
  if (const size_t bytes = filter.ByteSizeLong(); bytes > kMaxFilterBytes) {
    return errors::InvalidField("query.filter",
                                absl::StrCat("the filter takes ", bytes, " bytes; at most ",
                                             kMaxFilterBytes, " are accepted"),
                                kReason);
  }
  return Parser().ParseObject(filter, "query.filter", 0);
}

}  // namespace backinstock::domain::query
