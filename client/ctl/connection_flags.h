// ConnectionOptions from backinstockctl's connection flags.
#ifndef BACKINSTOCK_CLIENT_CTL_CONNECTION_FLAGS_H_
#define BACKINSTOCK_CLIENT_CTL_CONNECTION_FLAGS_H_

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "client/ctl/args.h"

namespace backinstock::ctl {

// INVALID_ARGUMENT for a malformed flag (a usage error); NOT_FOUND when a
// TLS file cannot be read.
absl::StatusOr<client::ConnectionOptions> ConnectionFromFlags(const Args& args);

// Reads a whole file; NOT_FOUND naming `what` when it cannot.
absl::StatusOr<std::string> ReadFile(const std::string& path, absl::string_view what);

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_CONNECTION_FLAGS_H_
