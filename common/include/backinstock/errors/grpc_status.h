// The one place where absl::Status becomes grpc::Status (and back, for clients
// and tests): the ErrorInfo and BadRequest payloads travel as a google.rpc.Status
// in the `grpc-status-details-bin` trailer.
#ifndef BACKINSTOCK_ERRORS_GRPC_STATUS_H_
#define BACKINSTOCK_ERRORS_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace backinstock::errors {

// "RESOURCE_EXHAUSTED" for kResourceExhausted, and so on: the names gRPC
// documents and logs show.
std::string CodeName(absl::StatusCode code);

// Converts `status` for the wire. A non-OK status without an ErrorInfo (an
// unexpected internal failure) gets one whose reason is the code's name, so
// that every error carries exactly one ErrorInfo.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The inverse: code, message and any ErrorInfo / BadRequest found in the
// status details become an absl::Status with the same payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace backinstock::errors

#endif  // BACKINSTOCK_ERRORS_GRPC_STATUS_H_
