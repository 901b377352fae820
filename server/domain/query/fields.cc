#include "server/domain/query/fields.h"

#include "absl/time/time.h"

namespace backinstock::domain::query {
namespace {

constexpr absl::string_view kNames[kFieldCount] = {"id",           "contactId",   "status",
                                                   "autoNotified", "createdDate", "itemUrl"};

int64_t TimestampNanos(const google::protobuf::Timestamp& timestamp) {
  // Every stored date (and any within ~285 years of 1970) is exact in int64
  // nanoseconds; only dates beyond need absl's saturating arithmetic.
  constexpr int64_t kExactSeconds = 9'000'000'000;
  if (timestamp.seconds() > -kExactSeconds && timestamp.seconds() < kExactSeconds &&
      timestamp.nanos() >= 0 && timestamp.nanos() < 1'000'000'000) {
    return timestamp.seconds() * 1'000'000'000 + timestamp.nanos();
  }
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
  return absl::ToUnixNanos(time);
}

}  // namespace

absl::string_view FieldName(Field field) { return kNames[static_cast<int>(field)]; }

std::optional<Field> ParseFieldName(absl::string_view name) {
  for (int i = 0; i < kFieldCount; ++i) {
    if (kNames[i] == name) return static_cast<Field>(i);
  }
  return std::nullopt;
}

bool IsTextField(Field field) {
  return field == Field::kId || field == Field::kContactId || field == Field::kItemUrl;
}

bool IsOrderedField(Field field) { return IsTextField(field) || field == Field::kCreatedDate; }

Value FieldValue(const v1::BackInStockNotificationRequest& request, Field field) {
  return ToValue(FieldViewOf(request, field));
}

FieldView FieldViewOf(const v1::BackInStockNotificationRequest& request, Field field) {
  switch (field) {
    case Field::kId:
      return absl::string_view(request.id());
    case Field::kContactId:
      return absl::string_view(request.contact_id());
    case Field::kStatus:
      return static_cast<int64_t>(request.status());
    case Field::kAutoNotified:
      if (!request.has_auto_notified()) return std::monostate{};
      return request.auto_notified().value();
    case Field::kCreatedDate:
      if (!request.has_created_date()) return std::monostate{};
      return TimestampNanos(request.created_date());
    case Field::kItemUrl:
      return absl::string_view(request.item_url());
  }
  return std::monostate{};
}

Value ToValue(const FieldView& view) {
  switch (view.index()) {
    case 1:
      return std::get<bool>(view);
    case 2:
      return std::get<int64_t>(view);
    case 3:
      return std::string(std::get<absl::string_view>(view));
    default:
      return std::monostate{};
  }
}

bool FieldExists(const v1::BackInStockNotificationRequest& request, Field field) {
  switch (field) {
    case Field::kId:
      return !request.id().empty();
    case Field::kContactId:
      return !request.contact_id().empty();
    case Field::kStatus:
      return request.status() != v1::BackInStockNotificationRequest::UNSPECIFIED;
    case Field::kAutoNotified:
      return request.has_auto_notified();
    case Field::kCreatedDate:
      return request.has_created_date();
    case Field::kItemUrl:
      return !request.item_url().empty();
  }
  return false;
}

bool ValueFitsField(const Value& value, Field field) {
  switch (field) {
    case Field::kId:
    case Field::kContactId:
    case Field::kItemUrl:
      return std::holds_alternative<std::string>(value);
    case Field::kStatus:
      return std::holds_alternative<int64_t>(value);
    case Field::kAutoNotified:
      return std::holds_alternative<bool>(value) || std::holds_alternative<std::monostate>(value);
    case Field::kCreatedDate:
      return std::holds_alternative<int64_t>(value) ||
             std::holds_alternative<std::monostate>(value);
  }
  return false;
}

}  // namespace backinstock::domain::query
