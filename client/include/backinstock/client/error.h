// Reading the service's errors back. A failed call returns an absl::Status
// with the gRPC code and message, and the google.rpc.ErrorInfo (and, for
// invalid arguments, the google.rpc.BadRequest) the server sent as payloads.
#ifndef BACKINSTOCK_CLIENT_ERROR_H_
#define BACKINSTOCK_CLIENT_ERROR_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"

namespace backinstock::client {

// The ErrorInfo reason ("ELEVATION_REQUIRED", "NOT_SUPPORTED_APP_DEF_ID",
// ...), or "" for OK or an error that carries none.
std::string ErrorReason(const absl::Status& status);

// The whole ErrorInfo (reason, domain, metadata such as `permission` or the
// existing request's `id`), if any.
std::optional<google::rpc::ErrorInfo> ErrorInfo(const absl::Status& status);

// The field violations of an INVALID_ARGUMENT error, if any.
std::optional<google::rpc::BadRequest> BadRequest(const absl::Status& status);

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_ERROR_H_
