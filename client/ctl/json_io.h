// Messages in and out of backinstockctl as proto3 JSON, the same JSON the Wix
// REST API speaks (`collectionStates`, `appId`, ...).
#ifndef BACKINSTOCK_CLIENT_CTL_JSON_IO_H_
#define BACKINSTOCK_CLIENT_CTL_JSON_IO_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/ctl/args.h"
#include "google/protobuf/message.h"

namespace backinstock::ctl {

// Fills `request` from --request (JSON, @FILE or @- for stdin), then sets the
// string field `positional_field` (if not empty) to `positional`.
// INVALID_ARGUMENT for JSON that does not fit the message (a usage error),
// NOT_FOUND for a file that cannot be read.
absl::Status ReadRequest(const Args& args, absl::string_view positional_field,
                         const std::string& positional, google::protobuf::Message* request);

// The message as JSON: every field, defaults included (`"collectingRequests":
// false`), indented over several lines or on one line.
std::string ToJson(const google::protobuf::Message& message, bool multiline);

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_JSON_IO_H_
