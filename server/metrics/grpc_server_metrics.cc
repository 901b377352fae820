#include "server/metrics/grpc_server_metrics.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace backinstock::metrics {
namespace {

constexpr absl::string_view kCodeNames[kGrpcCodes] = {
    "OK",       "Canceled",        "Unknown",          "InvalidArgument",   "DeadlineExceeded",
    "NotFound", "AlreadyExists",   "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
    "Aborted",  "OutOfRange",      "Unimplemented",    "Internal",          "Unavailable",
    "DataLoss", "Unauthenticated",
};

// grpc_type as the grpc-ecosystem interceptors name the four kinds of call.
absl::string_view CallType(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return "bidi_stream";
  if (method.client_streaming()) return "client_stream";
  if (method.server_streaming()) return "server_stream";
  return "unary";
}

}  // namespace

absl::string_view GrpcCodeName(int code) {
  return code >= 0 && code < kGrpcCodes ? kCodeNames[code] : kCodeNames[2];
}

MethodSeries::MethodSeries(Registry& registry, const Labels& method_labels)
    : started_(registry.AddCounter("grpc_server_started_total",
                                   "Total number of RPCs started on the server.", method_labels)) {
  for (int code = 0; code < kGrpcCodes; ++code) {
    Labels labels = method_labels;
    labels.emplace_back("grpc_code", std::string(kCodeNames[code]));
    handled_[code] = registry.AddCounter(
        "grpc_server_handled_total",
        "Total number of RPCs completed on the server, regardless of success or failure.", labels);
  }
  seconds_ = registry.AddHistogram(
      "grpc_server_handling_seconds",
      "Histogram of response latency (seconds) of gRPC that had been application-level handled "
      "by the server.",
      LatencySecondsBuckets(), method_labels);
}

GrpcServerMetrics::GrpcServerMetrics(Registry& registry,
                                     const std::vector<std::string>& service_names) {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : service_names) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    if (service == nullptr) continue;
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor& method = *service->method(m);
      methods_[absl::StrCat("/", service->full_name(), "/", method.name())] =
          std::make_unique<MethodSeries>(registry,
                                         Labels{{"grpc_type", std::string(CallType(method))},
                                                {"grpc_service", service->full_name()},
                                                {"grpc_method", method.name()}});
    }
  }
  unknown_ = std::make_unique<MethodSeries>(
      registry,
      Labels{{"grpc_type", "unknown"}, {"grpc_service", "unknown"}, {"grpc_method", "unknown"}});
}

const MethodSeries* GrpcServerMetrics::Find(absl::string_view path) const {
  auto it = methods_.find(path);
  return it != methods_.end() ? it->second.get() : unknown_.get();
}

}  // namespace backinstock::metrics
