// The per-method call figures of the grpc-ecosystem server interceptors
// (go-grpc-prometheus / go-grpc-middleware), under their names and labels so
// that dashboards written for them work unchanged:
//   grpc_server_started_total{grpc_type, grpc_service, grpc_method}
//   grpc_server_handled_total{grpc_type, grpc_service, grpc_method, grpc_code}
//   grpc_server_handling_seconds{grpc_type, grpc_service, grpc_method} (histogram)
//
// Every series is created at startup from the services' descriptors (the
// handled counters for every code, as go-grpc-prometheus's InitializeMetrics
// does, so a rate() works from the first error on). A call resolves its
// method once, through a table that never changes after construction (no
// lock), and then only touches sharded counters.
#ifndef BACKINSTOCK_SERVER_METRICS_GRPC_SERVER_METRICS_H_
#define BACKINSTOCK_SERVER_METRICS_GRPC_SERVER_METRICS_H_

#include <array>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "server/metrics/registry.h"

namespace backinstock::metrics {

// gRPC status codes 0..16.
inline constexpr int kGrpcCodes = 17;

// The code's name as grpc-go spells it ("OK", "InvalidArgument", ...), which
// is what grpc_code holds; "Unknown" for a number outside 0..16.
absl::string_view GrpcCodeName(int code);

// The series of one method.
class MethodSeries {
 public:
  MethodSeries(Registry& registry, const Labels& method_labels);

  void Started() const { started_->Increment(); }
  void Handled(int code, double seconds) const {
    handled_[code >= 0 && code < kGrpcCodes ? code : 2]->Increment();
    seconds_->Observe(seconds);
  }

 private:
  Counter* started_;
  std::array<Counter*, kGrpcCodes> handled_;
  Histogram* seconds_;
};

class GrpcServerMetrics {
 public:
  // Series for every method of each named service found in the generated
  // descriptor pool (names not found there are skipped), plus one "unknown"
  // method that every other path folds into, so a client cannot create label
  // values by calling made-up methods.
  GrpcServerMetrics(Registry& registry, const std::vector<std::string>& service_names);

  // The series of a method path ("/package.Service/Method"). Never null.
  const MethodSeries* Find(absl::string_view path) const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> methods_;
  std::unique_ptr<MethodSeries> unknown_;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_GRPC_SERVER_METRICS_H_
