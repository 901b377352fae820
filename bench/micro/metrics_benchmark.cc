// What counting one call costs with --metrics_listen: resolving the method's
// series (once per call, when its interceptor is created), started, handled
// and the latency histogram; single-threaded and with threads contending on
// one method's series. And a whole scrape of the server's page.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "server/metrics/service_metrics.h"

namespace backinstock::bench {
namespace {

constexpr char kGetSettings[] = "/backinstock.v1.BackInStockSettingsService/GetSettings";

// The server measures every gated service plus health and reflection; the
// page's size, not which services, is what a scrape's cost depends on.
std::vector<std::string> Services() {
  return {"backinstock.v1.BackInStockSettingsService",
          "backinstock.v1.BackInStockNotificationRequestService", "grpc.health.v1.Health"};
}

metrics::ServiceMetrics& Shared() {
  // Links the services' descriptors into the generated pool.
  (void)v1::GetSettingsRequest::descriptor();
  (void)v1::GetBackInStockNotificationRequestRequest::descriptor();
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  static auto* metrics = new metrics::ServiceMetrics(Services());
  return *metrics;
}

// Everything the call log interceptor does for metrics on one call.
void BM_OneCall(benchmark::State& state) {
  const metrics::GrpcServerMetrics& grpc = Shared().grpc();
  double seconds = 0.0001;
  for (auto _ : state) {
    const metrics::MethodSeries* series = grpc.Find(kGetSettings);
    series->Started();
    series->Handled(0, seconds);
    seconds = seconds < 1 ? seconds * 1.5 : 0.0001;  // walk the buckets
  }
}
BENCHMARK(BM_OneCall);
BENCHMARK(BM_OneCall)->Threads(2)->Threads(8)->UseRealTime();

void BM_Scrape(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Shared().registry().Render());
}
BENCHMARK(BM_Scrape);

}  // namespace
}  // namespace backinstock::bench

BENCHMARK_MAIN();
