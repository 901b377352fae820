// One log line per call: method, site, status code, latency.
#ifndef BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_
#define BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include "server/auth/call_registry.h"

namespace backinstock::runtime {

class CallLogInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `registry` (for the caller's verified site) must outlive the server.
  explicit CallLogInterceptorFactory(auth::CallRegistry* registry) : registry_(registry) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  auth::CallRegistry* registry_;
};

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_CALL_LOG_INTERCEPTOR_H_
