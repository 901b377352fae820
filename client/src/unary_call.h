// The one shape of every unary call: prepare the context, invoke the stub,
// turn a failed grpc::Status into an absl::Status that keeps the ErrorInfo.
#ifndef BACKINSTOCK_CLIENT_SRC_UNARY_CALL_H_
#define BACKINSTOCK_CLIENT_SRC_UNARY_CALL_H_

#include <grpcpp/client_context.h>

#include <utility>

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "backinstock/errors/grpc_status.h"
#include "client/src/call_context.h"

namespace backinstock::client::internal {

// `invoke(grpc::ClientContext*, Response*) -> grpc::Status` calls the stub.
template <typename Response, typename Invoke>
absl::StatusOr<Response> UnaryCall(const ConnectionOptions& connection, const CallOptions& call,
                                   Invoke&& invoke) {
  grpc::ClientContext context;
  PrepareContext(context, connection, call, CallKind::kUnary);
  Response response;
  const grpc::Status status = std::forward<Invoke>(invoke)(&context, &response);
  if (!status.ok()) return errors::FromGrpcStatus(status);
  return response;
}

}  // namespace backinstock::client::internal

#endif  // BACKINSTOCK_CLIENT_SRC_UNARY_CALL_H_
