// The listening port's credentials from the TLS flags.
#ifndef BACKINSTOCK_SERVER_RUNTIME_CREDENTIALS_H_
#define BACKINSTOCK_SERVER_RUNTIME_CREDENTIALS_H_

#include <grpcpp/security/server_credentials.h>

#include <memory>

#include "absl/status/statusor.h"
#include "server/runtime/server_config.h"

namespace backinstock::runtime {

// Plaintext without --tls_cert/--tls_key; TLS with both; mutual TLS (client
// certificates required and verified) when --tls_client_ca is given too.
// INVALID_ARGUMENT for a combination that makes no sense, NOT_FOUND for a
// file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& config);

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_CREDENTIALS_H_
