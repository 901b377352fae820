// One log line per call: method, site, status code, latency; and, when
// metrics are on, the grpc_server_* figures of the same call.
#ifndef BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_
#define BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include "server/auth/call_registry.h"
#include "server/metrics/grpc_server_metrics.h"

namespace backinstock::runtime {

class CallLogInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `registry` (for the caller's verified site) and `metrics` (null: none
  // counted) must outlive the server.
  explicit CallLogInterceptorFactory(auth::CallRegistry* registry,
                                     const metrics::GrpcServerMetrics* metrics = nullptr)
      : registry_(registry), metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  auth::CallRegistry* registry_;
  const metrics::GrpcServerMetrics* metrics_;
};

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_
