// Builds an RPC's request message from an HTTP request, as the route's
// `google.api.http` binding says: the JSON body (proto3 JSON mapping, unknown
// fields ignored), or the query string (`a.b=value` per field, or `.r=` with
// the base64url JSON of the whole request), then the path variables. A path
// variable repeated in the query or body must be equal.
#ifndef BACKINSTOCK_SERVER_HTTP_REQUEST_MAPPING_H_
#define BACKINSTOCK_SERVER_HTTP_REQUEST_MAPPING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "server/http/route_table.h"

namespace backinstock::http {

// Fills `request` (empty, of the route's input type). Errors are
// INVALID_ARGUMENT with reason MALFORMED_REQUEST, naming what was wrong.
absl::Status BuildRequest(const RouteMatch& match, absl::string_view query, absl::string_view body,
                          google::protobuf::Message* request);

// Percent-decoding of a URL component ('+' is a space in a query string).
absl::Status PercentDecode(absl::string_view in, bool plus_is_space, std::string* out);

// The proto3 JSON of a message, as every answer prints it: lowerCamel names,
// scalar fields even at their default value.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message);

}  // namespace backinstock::http

#endif  // BACKINSTOCK_SERVER_HTTP_REQUEST_MAPPING_H_
