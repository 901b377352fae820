#include "backinstock/client/error.h"

#include "backinstock/errors/error.h"

namespace backinstock::client {

// The server's own decoders: the client reads errors exactly as they were
// built (errors::FromGrpcStatus put the payloads in place).
std::string ErrorReason(const absl::Status& status) { return errors::ReasonOf(status); }

std::optional<google::rpc::ErrorInfo> ErrorInfo(const absl::Status& status) {
  return errors::ErrorInfoOf(status);
}

std::optional<google::rpc::BadRequest> BadRequest(const absl::Status& status) {
  return errors::BadRequestOf(status);
}

}  // namespace backinstock::client
