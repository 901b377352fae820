#include "server/auth/auth_interceptor.h"

#include <string>

#include "absl/time/clock.h"
#include "server/errors/error.h"
#include "server/errors/grpc_status.h"

namespace backinstock::auth {
namespace {

using grpc::experimental::InterceptionHookPoints;

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(const Authorizer* authorizer, CallRegistry* registry, AuditLog* audit,
                  std::string method, const void* call)
      : authorizer_(authorizer), registry_(registry), audit_(audit), method_(std::move(method)),
        call_(call) {}

  ~AuthInterceptor() override { registry_->Erase(call_); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authorize(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Audit(methods->GetSendStatus());
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
  const std::string method_;
  const void* call_;
  std::shared_ptr<const Decision> decision_;
};

}  // namespace

grpc::experimental::Interceptor* AuthInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Health checks and reflection are public infrastructure: not intercepted.
  if (!authorizer_->IsGated(info->method())) return nullptr;
  return new AuthInterceptor(authorizer_, registry_, audit_, info->method(),
                             static_cast<const void*>(info->server_context()));
}

}  // namespace backinstock::auth
