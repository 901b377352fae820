#include "server/auth/auth_interceptor.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "server/errors/error.h"
#include "server/errors/grpc_status.h"

namespace backinstock::auth {
namespace {

using grpc::experimental::InterceptionHookPoints;

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(const Authorizer* authorizer, CallRegistry* registry, AuditLog* audit,
                  const metrics::AuthMetrics* metrics, std::string method, const void* call)
      : authorizer_(authorizer), registry_(registry), audit_(audit), metrics_(metrics),
        method_(std::move(method)), call_(call) {}

  ~AuthInterceptor() override { registry_->Erase(call_); }

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
    decision_ = std::make_shared<const Decision>(
        authorizer_->Decide(method_, credentials, absl::Now()));
    registry_->Put(call_, decision_);
    if (metrics_ && !decision_->status.ok()) metrics_->Denied(errors::ReasonOf(decision_->status));
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

  // One line for every call that was denied here or that used elevation.
  void Audit(const grpc::Status& sent) {
    if (!decision_) return;
    const bool denied = !decision_->status.ok();
    if (!denied && !decision_->elevation) return;
    AuditRecord record;
    record.time = absl::Now();
    record.method = method_;
    if (decision_->identity) {
      record.site = decision_->identity->site;
      record.caller_sub = decision_->identity->sub;
      record.caller_role = std::string(RoleName(decision_->identity->role));
    }
    if (decision_->elevation) {
      record.elevated_by = decision_->elevation->sub;
      record.jti = decision_->elevation->jti;
    }
    record.code = errors::CodeName(static_cast<absl::StatusCode>(sent.error_code()));
    if (denied) record.reason = errors::ReasonOf(decision_->status);
    audit_->Record(record);
  }

  const Authorizer* authorizer_;
  CallRegistry* registry_;
  AuditLog* audit_;
  const metrics::AuthMetrics* metrics_;
  const std::string method_;
  const void* call_;
  std::shared_ptr<const Decision> decision_;
};

}  // namespace

grpc::experimental::Interceptor* AuthInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Health checks and reflection are public infrastructure: not intercepted.
  if (!authorizer_->IsGated(info->method())) return nullptr;
  return new AuthInterceptor(authorizer_, registry_, audit_, metrics_, info->method(),
                             static_cast<const void*>(info->server_context()));
}

}  // namespace backinstock::auth
