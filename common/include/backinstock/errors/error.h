// Errors as the service reports them: an absl::Status carrying exactly one
// google.rpc.ErrorInfo (and, for invalid arguments, a google.rpc.BadRequest) as
// payloads. Domain code builds errors with these helpers and never touches
// gRPC types; the server's api/ turns them into grpc::Status with
// ToGrpcStatus(), and the client reads them back with FromGrpcStatus(). Part
// of the common library (common/), which both the server and the client use.
#ifndef BACKINSTOCK_ERRORS_ERROR_H_
#define BACKINSTOCK_ERRORS_ERROR_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/rpc/error_details.pb.h"

namespace backinstock::errors {

// ErrorInfo.domain of every error this service returns.
inline constexpr char kDomain[] = "backinstock.v1";

// absl::Status payload type URLs (the same URLs google.protobuf.Any uses).
inline constexpr char kErrorInfoUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";

using Metadata = std::initializer_list<std::pair<absl::string_view, absl::string_view>>;

// A non-OK status with an ErrorInfo of `reason` (UPPER_SNAKE_CASE).
absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message,
                   Metadata metadata = {});

// INVALID_ARGUMENT with a BadRequest field violation on `field` (a proto field
// path such as "request.catalog_reference.app_id") and an ErrorInfo of `reason`.
absl::Status InvalidField(absl::string_view field, absl::string_view description,
                          absl::string_view reason = "INVALID_ARGUMENT");

// A caller-supplied value fit for an error message: quoted, non-printable bytes
// escaped, and cut to `max_bytes` (with "...") so that a hostile megabyte-long
// value cannot bloat replies or logs.
std::string Quoted(absl::string_view value, size_t max_bytes = 64);

// The ErrorInfo carried by `status`, if any.
std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status);

// The ErrorInfo reason carried by `status`, or "" when it has none.
std::string ReasonOf(const absl::Status& status);

// The BadRequest carried by `status`, if any.
std::optional<google::rpc::BadRequest> BadRequestOf(const absl::Status& status);

}  // namespace backinstock::errors

#endif  // BACKINSTOCK_ERRORS_ERROR_H_
