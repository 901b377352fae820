#include "backinstock/errors/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "backinstock/errors/error.h"
#include "google/rpc/status.pb.h"

namespace backinstock::errors {
std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) {
    if (c == ' ')
      c = '_';
    else if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  }
  return name;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));

  auto info = ErrorInfoOf(status);
  if (!info) {
    info.emplace();
    info->set_reason(CodeName(status.code()));
    info->set_domain(kDomain);
  }
  details.add_details()->PackFrom(*info);
  if (auto bad_request = BadRequestOf(status)) details.add_details()->PackFrom(*bad_request);

  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return result;
  }
  for (const auto& any : details.details()) {
    if (any.Is<google::rpc::ErrorInfo>()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info))
        result.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
    } else if (any.Is<google::rpc::BadRequest>()) {
      google::rpc::BadRequest bad_request;
      if (any.UnpackTo(&bad_request)) {
        result.SetPayload(kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
      }
    }
  }
  return result;
}

}  // namespace backinstock::errors
