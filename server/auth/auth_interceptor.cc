#include "server/auth/auth_interceptor.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"

namespace backinstock::auth {
namespace {

using grpc::experimental::InterceptionHookPoints;

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(const Authorizer* authorizer, CallRegistry* registry, AuditLog* audit,
                  const metrics::AuthMetrics* metrics, std::string method, const void* call,
                  bool server_streaming)
      : authorizer_(authorizer), registry_(registry), audit_(audit), metrics_(metrics),
        method_(std::move(method)), call_(call), server_streaming_(server_streaming) {
    registry_->Hold(call_);
  }

  ~AuthInterceptor() override {
    // A call that ends without sending a status still owes its line.
    if (reserved_ > 0) Audit(grpc::Status::CANCELLED);
    registry_->Release(call_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authorize(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status sent = methods->GetSendStatus();
      if (IsUnparsedRequest(sent)) {
        sent = errors::ToGrpcStatus(UnparsedRequestError());
        methods->ModifySendStatus(sent);
      }
      Audit(sent);
    }
    methods->Proceed();
  }

 private:
  void Authorize(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    CallCredentials credentials;
    for (const auto& [key, value] : metadata) {
      absl::string_view name(key.data(), key.size());
      if (name == kAuthorizationHeader) {
        credentials.authorization.emplace_back(value.data(), value.size());
      } else if (name == kElevationHeader) {
        credentials.elevation.emplace_back(value.data(), value.size());
      }
    }
    Decision decision = authorizer_->Decide(method_, credentials, absl::Now());
    if (decision.status.ok() && decision.elevation) ReserveAuditLines(decision);
    decision_ = std::make_shared<const Decision>(std::move(decision));
    registry_->Put(call_, decision_);
    if (metrics_ && !decision_->status.ok()) metrics_->Denied(errors::ReasonOf(decision_->status));
    if (server_streaming_ && reserved_ > 0) {
      // An elevated stream may run for as long as its credentials last:
      // it is on record from the start, not only once it ends.
      AuditRecord record = RecordOf(*decision_);
      record.event = "start";
      audit_->RecordReserved(record);
      --reserved_;
    }
  }

  // A call with a verified elevation owes audit lines (a stream two: start
  // and end). Room for them is set aside now; when there is none (the log is
  // stalled or failing) the call is refused rather than run unrecorded.
  void ReserveAuditLines(Decision& decision) {
    const size_t lines = server_streaming_ ? 2 : 1;
    if (audit_->Reserve(lines)) {
      reserved_ = lines;
      return;
    }
    decision.status = errors::Error(
        absl::StatusCode::kUnavailable, "AUDIT_UNAVAILABLE",
        "the audit log cannot record this elevated call now; try again shortly");
    decision.elevated = false;
  }

  // gRPC 1.51's callback handlers answer a request message they cannot parse
  // with UNIMPLEMENTED and no message, before any handler (and so the gate)
  // runs. For a method we declare, that status can only mean an unparseable
  // request.
  bool IsUnparsedRequest(const grpc::Status& sent) const {
    return sent.error_code() == grpc::StatusCode::UNIMPLEMENTED && sent.error_message().empty() &&
           decision_ && !decision_->permission.empty();
  }

  // What such a call ends with instead: the authorization error when the call
  // was not authorized (so garbage never tells an anonymous caller more than
  // "who are you?"), else INVALID_ARGUMENT naming the request type.
  absl::Status UnparsedRequestError() const {
    if (!decision_->status.ok()) return decision_->status;
    std::string type = "request";
    const std::string full_name = absl::StrReplaceAll(method_.substr(1), {{"/", "."}});
    if (const auto* method =
            google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name)) {
      type = method->input_type()->full_name();
    }
    return errors::Error(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
                         absl::StrCat("the request message is not a valid encoding of ", type));
  }

  // Who called, as verified (never unverified claims).
  AuditRecord RecordOf(const Decision& decision) const {
    AuditRecord record;
    record.time = absl::Now();
    record.method = method_;
    if (decision.identity) {
      record.site = decision.identity->site;
      record.caller_sub = decision.identity->sub;
      record.caller_role = std::string(RoleName(decision.identity->role));
    }
    if (decision.elevation) {
      record.elevated_by = decision.elevation->sub;
      record.jti = decision.elevation->jti;
    }
    return record;
  }

  // One line for every call that was denied here or that used elevation.
  // Neither kind ever waits on the audit sink (audit_log.h).
  void Audit(const grpc::Status& sent) {
    if (!decision_) return;
    const bool denied = !decision_->status.ok();
    if (!denied && reserved_ == 0) return;
    AuditRecord record = RecordOf(*decision_);
    record.code = errors::CodeName(static_cast<absl::StatusCode>(sent.error_code()));
    if (denied) record.reason = errors::ReasonOf(decision_->status);
    if (reserved_ > 0) {
      audit_->RecordReserved(record);
      audit_->Release(reserved_ - 1);
      reserved_ = 0;
    } else {
      audit_->RecordDenied(record);
    }
  }

  const Authorizer* authorizer_;
  CallRegistry* registry_;
  AuditLog* audit_;
  const metrics::AuthMetrics* metrics_;
  const std::string method_;
  const void* call_;
  const bool server_streaming_;
  std::shared_ptr<const Decision> decision_;
  size_t reserved_ = 0;  // audit lines set aside for this call, not yet written
};

}  // namespace

grpc::experimental::Interceptor* AuthInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Health checks and reflection are public infrastructure: not intercepted.
  if (!authorizer_->IsGated(info->method())) return nullptr;
  return new AuthInterceptor(
      authorizer_, registry_, audit_, metrics_, info->method(),
      static_cast<const void*>(info->server_context()),
      info->type() == grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING);
}

}  // namespace backinstock::auth
