#include "backinstock/errors/error.h"

#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace backinstock::errors {
namespace {

template <typename Message>
std::optional<Message> PayloadOf(const absl::Status& status, absl::string_view url) {
  auto payload = status.GetPayload(url);
  if (!payload) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*payload))) return std::nullopt;
  return message;
}

}  // namespace

absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                   Metadata metadata) {
  absl::Status status(code, message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kDomain);
  for (const auto& [key, value] : metadata) {
    (*info.mutable_metadata())[std::string(key)] = std::string(value);
  }
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status InvalidField(absl::string_view field, absl::string_view description,
                          absl::string_view reason) {
  absl::Status status =
      Error(absl::StatusCode::kInvalidArgument, reason,
            std::string(field) + ": " + std::string(description), {{"field", field}});
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(description));
  status.SetPayload(kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

std::string Quoted(absl::string_view value, size_t max_bytes) {
  const bool cut = value.size() > max_bytes;
  return absl::StrCat("\"", absl::CHexEscape(value.substr(0, max_bytes)), cut ? "...\"" : "\"");
}

std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status) {
  return PayloadOf<google::rpc::ErrorInfo>(status, kErrorInfoUrl);
}

std::string ReasonOf(const absl::Status& status) {
  auto info = ErrorInfoOf(status);
  return info ? info->reason() : std::string();
}

std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status) {
  return PayloadOf<google::rpc::BadRequest>(status, kBadRequestUrl);
}

}  // namespace backinstock::errors
