#include "server/runtime/call_log_interceptor.h"

#include <string>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "server/logging/log.h"

namespace backinstock::runtime {
namespace {

using grpc::experimental::InterceptionHookPoints;

class CallLogInterceptor : public grpc::experimental::Interceptor {
 public:
  // Holds the call in the registry, so that its decision (and so its site)
  // is still there when the destructor logs a cancelled call, whichever
  // interceptor gRPC destroys first. `series`: the method's metrics, or null
  // when metrics are off.
  CallLogInterceptor(auth::CallRegistry* registry, std::string method, const void* call,
                     const metrics::MethodSeries* series)
      : registry_(registry), method_(std::move(method)), call_(call), series_(series),
        start_(absl::Now()) {
    registry_->Hold(call_);
    if (series_) series_->Started();
  }

  // A call that ends without sending a status (the client went away) is
  // logged as CANCELLED.
  ~CallLogInterceptor() override {
    if (!logged_) Emit(grpc::Status::CANCELLED);
    registry_->Release(call_);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      ReadRequestId(*methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Emit(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  // The HTTP front's x-wix-request-id, so that a REST answer's id finds its
  // line. Only the front's own form (a UUID) is logged: anything else a gRPC
  // caller sends is not trusted into the log.
  void ReadRequestId(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
    auto it = metadata.find("x-wix-request-id");
    if (it == metadata.end() || it->second.size() != 36) return;
    for (char c : it->second) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != '-') return;
    }
    request_id_.assign(it->second.data(), it->second.size());
  }

  void Emit(const grpc::Status& status) {
    logged_ = true;
    std::string site;
    if (auto decision = registry_->Find(call_); decision && decision->identity) {
      site = decision->identity->site;
    }
    const std::string code = errors::CodeName(static_cast<absl::StatusCode>(status.error_code()));
    const absl::Duration latency = absl::Now() - start_;
    if (series_) series_->Handled(status.error_code(), absl::ToDoubleSeconds(latency));
    const double latency_ms = absl::ToDoubleMilliseconds(latency);
    const logging::Field fields[] = {{"method", method_},
                                     {"site", site},
                                     {"code", code},
                                     {"latency_ms", latency_ms},
                                     {"request_id", request_id_}};
    // request_id, last, only when the caller sent a valid one.
    logging::Info("call", absl::MakeConstSpan(fields, request_id_.empty() ? 4 : 5));
  }

  auth::CallRegistry* registry_;
  const std::string method_;
  const void* call_;
  const metrics::MethodSeries* series_;
  const absl::Time start_;
  bool logged_ = false;
  std::string request_id_;
};

}  // namespace

grpc::experimental::Interceptor* CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallLogInterceptor(registry_, info->method(),
                                static_cast<const void*>(info->server_context()),
                                metrics_ ? metrics_->Find(info->method()) : nullptr);
}

}  // namespace backinstock::runtime
