// Prepares the ClientContext of every call: deadline, and the caller's tokens
// attached as call credentials.
#ifndef BACKINSTOCK_CLIENT_SRC_CALL_CONTEXT_H_
#define BACKINSTOCK_CLIENT_SRC_CALL_CONTEXT_H_

#include <grpcpp/client_context.h>

#include "backinstock/client/options.h"

namespace backinstock::client::internal {

enum class CallKind { kUnary, kStream };

// Unary calls get the call's deadline or the connection's default; streams
// only an explicit one.
void PrepareContext(grpc::ClientContext& context, const ConnectionOptions& connection,
                    const CallOptions& call, CallKind kind);

}  // namespace backinstock::client::internal

#endif  // BACKINSTOCK_CLIENT_SRC_CALL_CONTEXT_H_
