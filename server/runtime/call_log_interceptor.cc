#include "server/runtime/call_log_interceptor.h"

#include <map>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "server/logging/log.h"

namespace backinstock::runtime {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr absl::string_view kRequestIdHeader = "x-wix-request-id";

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  // `authorization`: set for calls to our services (health checks and
  // reflection are public infrastructure: logged, not authorized).
  // `series`: the method's metrics, or null when metrics are off. `method`
  // is the path gRPC keeps for the server's lifetime.
  CallInterceptor(const auth::AuthorizationContext* authorization, absl::string_view method,
                  const void* call, bool server_streaming, const metrics::MethodSeries* series)
      : method_(method), series_(series), start_(absl::Now()) {
    if (authorization) authorization_.emplace(*authorization, method, call, server_streaming);
    if (series_) series_->Started();
  }

  // A call that ends without sending a status (the client went away) is
  // logged as CANCELLED; the authorization's destructor then writes the
  // audit line such a call still owes.
  ~CallInterceptor() override {
    if (!logged_) Emit(grpc::Status::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      ReadHeaders(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (authorization_) authorization_->OnSendStatus(methods);
      // After the authorization, which may have corrected the status.
      Emit(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  // One pass over the headers: the credentials, then the decision.
  void ReadHeaders(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auth::CallCredentials credentials;
    for (const auto& [key, value] : metadata) {
      const absl::string_view name(key.data(), key.size());
      const absl::string_view text(value.data(), value.size());
      if (name == auth::kAuthorizationHeader) {
        credentials.authorization.push_back(text);
      } else if (name == auth::kElevationHeader) {
        credentials.elevation.push_back(text);
      } else if (name == kRequestIdHeader) {
        ReadRequestId(text);
      }
    }
    if (authorization_) authorization_->Authorize(credentials);
  }

  // The HTTP front's x-wix-request-id, so that a REST answer's id finds its
  // line. Only the front's own form (a UUID) is logged: anything else a gRPC
  // caller sends is not trusted into the log.
  void ReadRequestId(absl::string_view value) {
    if (value.size() != 36) return;
    for (char c : value) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != '-') return;
    }
    request_id_.assign(value.data(), value.size());
  }

  void Emit(const grpc::Status& status) {
    logged_ = true;
    absl::string_view site;
    if (authorization_) {
      if (const auth::Decision* decision = authorization_->decision();
          decision && decision->identity) {
        site = decision->identity->site;
      }
    }
    const std::string code = errors::CodeName(static_cast<absl::StatusCode>(status.error_code()));
    const absl::Duration latency = absl::Now() - start_;
    if (series_) series_->Handled(status.error_code(), absl::ToDoubleSeconds(latency));
    const logging::Field fields[] = {{"method", method_},
                                     {"site", site},
                                     {"code", code},
                                     {"latency_ms", absl::ToDoubleMilliseconds(latency)},
                                     {"request_id", request_id_}};
    // request_id, last, only when the caller sent a valid one.
    logging::Info("call", absl::MakeConstSpan(fields, request_id_.empty() ? 4 : 5));
  }

  // Declared first so that it is destroyed last: Emit in the destructor
  // still reads the decision's site.
  std::optional<auth::CallAuthorization> authorization_;
  const absl::string_view method_;
  const metrics::MethodSeries* series_;
  const absl::Time start_;
  bool logged_ = false;
  std::string request_id_;
};

}  // namespace

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const absl::string_view method = info->method();
  return new CallInterceptor(
      authorization_.authorizer->IsGated(method) ? &authorization_ : nullptr, method,
      static_cast<const void*>(info->server_context()),
      info->type() == grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING,
      metrics_ ? metrics_->Find(method) : nullptr);
}

}  // namespace backinstock::runtime
