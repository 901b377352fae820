// The gate every handler of our services passes through before doing anything:
// it enforces the decision the interceptor recorded. A call with no recorded
// decision is refused, so a wiring mistake fails closed.
#ifndef BACKINSTOCK_SERVER_AUTH_GATE_H_
#define BACKINSTOCK_SERVER_AUTH_GATE_H_

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "server/auth/authorizer.h"
#include "server/auth/call_registry.h"
#include "server/auth/stream_credentials.h"

namespace backinstock::auth {

class Gate {
 public:
  explicit Gate(const CallRegistry* registry) : registry_(registry) {}

  // The admitted caller, or the error the call must end with.
  absl::StatusOr<Caller> Admit(const grpc::ServerContextBase* context) const;

  // For a server stream: the caller and the credentials that keep the
  // stream authorized (it must end when they lapse).
  struct AdmittedStream {
    Caller caller;
    StreamCredentials credentials;
  };
  absl::StatusOr<AdmittedStream> AdmitStream(const grpc::ServerContextBase* context) const;

 private:
  absl::StatusOr<std::shared_ptr<const Decision>> Admitted(
      const grpc::ServerContextBase* context) const;

  const CallRegistry* registry_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_GATE_H_
