// What the benchmarks' bare servers are made of: the one no-op method
// (baseline.v1.BaselineService/Noop) and the least an authorizing interceptor
// does (read the caller's headers, pass every hook on). Shared by the bare
// gRPC server (baseline_server.cc) and the bare HTTP server's forwarding mode
// (bench/http/fixed_json_beast.cc).
#ifndef BACKINSTOCK_BENCH_BASELINE_NOOP_SERVICE_H_
#define BACKINSTOCK_BENCH_BASELINE_NOOP_SERVICE_H_

#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_interceptor.h>

#include "baseline/v1/baseline.grpc.pb.h"

namespace backinstock::bench {

// Answers every call OK with an empty message, on gRPC's thread.
class NoopService final : public baseline::v1::BaselineService::CallbackService {
  grpc::ServerUnaryReactor* Noop(grpc::CallbackServerContext* context,
                                 const baseline::v1::NoopRequest* request,
                                 baseline::v1::NoopResponse* response) override;
};

// Registers, on every call, an interceptor that reads the headers once (as an
// authorizing interceptor must: it finds `authorization`) and changes nothing.
// backinstock-server must have one (the design's elevation interceptor), so a
// bare server with it shows what gRPC's interceptor machinery costs.
void AddHeaderReadingInterceptor(grpc::ServerBuilder& builder);

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_BASELINE_NOOP_SERVICE_H_
