// Every unary handler of our services runs through Unary(): the gate admits the
// caller first, and only then does the handler's body run. A denied call never
// reaches the body, so it has no effect.
#ifndef BACKINSTOCK_SERVER_API_UNARY_H_
#define BACKINSTOCK_SERVER_API_UNARY_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/status.h"
#include "server/auth/gate.h"
#include "server/errors/grpc_status.h"

namespace backinstock::api {

// `body(const auth::Caller&) -> absl::Status` fills the response and returns
// the call's status.
template <typename Body>
grpc::ServerUnaryReactor* Unary(const auth::Gate& gate, grpc::CallbackServerContext* context,
                                Body&& body) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<auth::Caller> caller = gate.Admit(context);
  const absl::Status status = caller.ok() ? body(*caller) : caller.status();
  reactor->Finish(errors::ToGrpcStatus(status));
  return reactor;
}

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_UNARY_H_
