// The server's one interceptor: on every call to our services the
// authorization (auth::CallAuthorization: decision for the gate, audit line),
// and on every call one log line (method, site, status code, latency) and,
// when metrics are on, the grpc_server_* figures of the call.
//
// One interceptor rather than one per job: gRPC 1.51 runs each interceptor on
// every batch of every call (an allocation, a virtual call per hook point, a
// copy of the status), so each extra one costs every call.
#ifndef BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_
#define BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include "server/auth/auth_interceptor.h"
#include "server/metrics/grpc_server_metrics.h"

namespace backinstock::runtime {

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // Everything in `authorization` and `metrics` (null: none counted) must
  // outlive the server.
  CallInterceptorFactory(const auth::AuthorizationContext& authorization,
                         const metrics::GrpcServerMetrics* metrics = nullptr)
      : authorization_(authorization), metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  const auth::AuthorizationContext authorization_;
  const metrics::GrpcServerMetrics* metrics_;
};

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_
