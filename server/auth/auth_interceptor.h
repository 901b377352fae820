// The authorization part of the server's one interceptor
// (server/runtime/call_log_interceptor.h), one object per call to our
// services: it authenticates the call as its headers arrive, records the
// decision for the gate, and writes the audit line when the call ends. It
// cannot stop a handler from running (gRPC 1.51); enforcement is the gate's
// job.
//
// A plain class rather than an interceptor of its own: gRPC 1.51 runs every
// interceptor on every batch of every call, so the server keeps one
// interceptor per call and this part lives inside it.
#ifndef BACKINSTOCK_SERVER_AUTH_AUTH_INTERCEPTOR_H_
#define BACKINSTOCK_SERVER_AUTH_AUTH_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "absl/strings/string_view.h"
#include "server/auth/audit_log.h"
#include "server/auth/authorizer.h"
#include "server/auth/call_registry.h"
#include "server/metrics/auth_metrics.h"

namespace backinstock::auth {

// What the authorization of calls needs; all must outlive the server.
struct AuthorizationContext {
  const Authorizer* authorizer = nullptr;
  CallRegistry* registry = nullptr;
  AuditLog* audit = nullptr;
  const metrics::AuthMetrics* metrics = nullptr;  // null: denials not counted
};

class CallAuthorization {
 public:
  // `method` (the call's path, which gRPC keeps for the server's lifetime)
  // and `call` (its server context) identify the call.
  CallAuthorization(const AuthorizationContext& context, absl::string_view method, const void* call,
                    bool server_streaming)
      : context_(context), method_(method), call_(call), server_streaming_(server_streaming) {}
  // Writes the line a call that ended without sending a status still owes,
  // and forgets the call's decision.
  ~CallAuthorization();

  CallAuthorization(const CallAuthorization&) = delete;
  CallAuthorization& operator=(const CallAuthorization&) = delete;

  // At POST_RECV_INITIAL_METADATA, with the call's headers.
  void Authorize(const CallCredentials& credentials);
  // At PRE_SEND_STATUS: corrects the status of an unparseable request and
  // writes the audit line.
  void OnSendStatus(grpc::experimental::InterceptorBatchMethods* methods);

  // The decision, once Authorize ran (null before).
  const Decision* decision() const { return decision_.get(); }

 private:
  void ReserveAuditLines(Decision& decision);
  bool IsUnparsedRequest(const grpc::Status& sent) const;
  absl::Status UnparsedRequestError() const;
  AuditRecord RecordOf(const Decision& decision) const;
  void Audit(const grpc::Status& sent);

  const AuthorizationContext& context_;
  const absl::string_view method_;
  const void* call_;
  const bool server_streaming_;
  std::shared_ptr<const Decision> decision_;
  size_t reserved_ = 0;  // audit lines set aside for this call, not yet written
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_AUTH_INTERCEPTOR_H_
