#include "server/http/error_envelope.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "nlohmann/json.hpp"

namespace backinstock::http {

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kFailedPrecondition:
      return 428;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

std::string JsonFieldPath(absl::string_view proto_path) {
  std::string out;
  out.reserve(proto_path.size());
  bool upper_next = false;
  for (char c : proto_path) {
    if (c == '_') {
      upper_next = true;
      continue;
    }
    if (c == '.' || c == '[') upper_next = false;
    out.push_back(upper_next ? absl::ascii_toupper(static_cast<unsigned char>(c)) : c);
    upper_next = false;
  }
  return out;
}

std::string ErrorBody(const absl::Status& status) {
  nlohmann::ordered_json body;
  body["message"] = std::string(status.message());
  if (std::optional<google::rpc::BadRequest> bad = errors::BadRequestOf(status)) {
    nlohmann::ordered_json violations = nlohmann::ordered_json::array();
    for (const auto& violation : bad->field_violations()) {
      violations.push_back(
          {{"field", JsonFieldPath(violation.field())}, {"description", violation.description()}});
    }
    body["details"]["validationError"]["fieldViolations"] = std::move(violations);
  } else {
    nlohmann::ordered_json error;
    std::string reason = errors::ReasonOf(status);
    // gRPC's own refusals (an oversized message) carry no ErrorInfo.
    error["code"] = reason.empty() ? errors::CodeName(status.code()) : std::move(reason);
    error["description"] = std::string(status.message());
    nlohmann::ordered_json data = nlohmann::ordered_json::object();
    if (std::optional<google::rpc::ErrorInfo> info = errors::ErrorInfoOf(status)) {
      for (const auto& [key, value] : info->metadata()) data[key] = value;
    }
    error["data"] = std::move(data);
    body["details"]["applicationError"] = std::move(error);
  }
  // Replacement characters rather than an exception for bytes that are not
  // UTF-8 (a message quoting hostile input).
  return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace backinstock::http
