// The server interceptor that authenticates every call to our services as its
// headers arrive, records the decision for the gate, and writes the audit line
// when the call ends. It cannot stop a handler from running (gRPC 1.51);
// enforcement is the gate's job.
#ifndef BACKINSTOCK_SERVER_AUTH_AUTH_INTERCEPTOR_H_
#define BACKINSTOCK_SERVER_AUTH_AUTH_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include "server/auth/audit_log.h"
#include "server/auth/authorizer.h"
#include "server/auth/call_registry.h"
#include "server/metrics/auth_metrics.h"

namespace backinstock::auth {

class AuthInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // All must outlive the server; `metrics` may be null (denials not counted).
  AuthInterceptorFactory(const Authorizer* authorizer, CallRegistry* registry, AuditLog* audit,
                         const metrics::AuthMetrics* metrics = nullptr)
      : authorizer_(authorizer), registry_(registry), audit_(audit), metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  const Authorizer* authorizer_;
  CallRegistry* registry_;
  AuditLog* audit_;
  const metrics::AuthMetrics* metrics_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_AUTH_INTERCEPTOR_H_
