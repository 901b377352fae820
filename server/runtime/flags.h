// The server's command-line flags. Every flag can also be set through the
// environment as BACKINSTOCK_<FLAG NAME IN UPPER CASE>; the command line wins.
#ifndef BACKINSTOCK_SERVER_RUNTIME_FLAGS_H_
#define BACKINSTOCK_SERVER_RUNTIME_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/runtime/server_config.h"

namespace backinstock::runtime {

// Sets flags from their environment variables (call before parsing argv).
absl::Status ApplyEnvironmentToFlags();

// The names of the server's own flags, for docs and tests.
std::vector<std::string> ServerFlagNames();

// Reads and validates the flags into a config (loads the keys file).
absl::StatusOr<ServerConfig> ConfigFromFlags();

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_FLAGS_H_
