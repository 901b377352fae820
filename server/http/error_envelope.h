// Wix's REST error answer for a status: the HTTP status Wix gives the gRPC
// code, and the body `{"message", "details": {"applicationError": {"code",
// "description", "data"}}}`, or `{"message", "details": {"validationError":
// {"fieldViolations": [...]}}}` when the status carries a BadRequest.
#ifndef BACKINSTOCK_SERVER_HTTP_ERROR_ENVELOPE_H_
#define BACKINSTOCK_SERVER_HTTP_ERROR_ENVELOPE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace backinstock::http {

int HttpStatusFor(absl::StatusCode code);

// The JSON body for a non-OK status (with the payloads of server/errors).
std::string ErrorBody(const absl::Status& status);

// "catalog_reference.catalog_item_id" -> "catalogReference.catalogItemId":
// the proto field path as the JSON mapping names it.
std::string JsonFieldPath(absl::string_view proto_path);

}  // namespace backinstock::http

#endif  // BACKINSTOCK_SERVER_HTTP_ERROR_ENVELOPE_H_
