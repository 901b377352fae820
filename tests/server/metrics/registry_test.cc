// The registry's series: one per label set, stable pointers, counts from many
// threads summed exactly.
#include "server/metrics/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "grpc/health/v1/health.pb.h"
#include "server/metrics/auth_metrics.h"
#include "server/metrics/grpc_server_metrics.h"
#include "server/metrics/notification_metrics.h"
#include "tests/support/metrics_client.h"

namespace backinstock::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RegistryTest, SameLabelsGiveTheSameSeries) {
  Registry registry;
  Counter* a = registry.AddCounter("x_total", "X.", {{"k", "1"}});
  EXPECT_EQ(registry.AddCounter("x_total", "X.", {{"k", "1"}}), a);
  EXPECT_NE(registry.AddCounter("x_total", "X.", {{"k", "2"}}), a);
}

TEST(RegistryTest, CountsFromManyThreadsAddUpExactly) {
  Registry registry;
  Counter* counter = registry.AddCounter("n_total", "N.");
  Histogram* histogram = registry.AddHistogram("h", "H.", {1, 10});
  constexpr int kThreads = 8;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        counter->Increment();
        histogram->Observe(t % 2 == 0 ? 1 : 5);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counter->Value(), uint64_t{kThreads} * kEach);
  const Histogram::Snapshot snapshot = histogram->Read();
  EXPECT_EQ(snapshot.counts[0], uint64_t{kThreads / 2} * kEach);
  EXPECT_EQ(snapshot.counts[1], uint64_t{kThreads / 2} * kEach);
  EXPECT_EQ(snapshot.counts[2], 0u);
  EXPECT_EQ(snapshot.sum, double{kThreads / 2} * kEach * (1 + 5));
}

TEST(RegistryTest, CollectorsWriteAfterTheFamilies) {
  Registry registry;
  registry.AddGauge("first", "First.");
  registry.AddCollector([](TextWriter& writer) {
    writer.Family("late", "Late.", Type::kGauge);
    writer.Sample("late", "", 2.5);
  });
  const std::string page = registry.Render();
  EXPECT_LT(page.find("first 0"), page.find("late 2.5"));
}

TEST(GrpcServerMetricsTest, KnownMethodsHaveTheirLabelsAndEveryCode) {
  // Links the health service's descriptor into the generated pool.
  ASSERT_NE(grpc::health::v1::HealthCheckRequest::descriptor(), nullptr);
  Registry registry;
  GrpcServerMetrics grpc(registry, {"grpc.health.v1.Health", "no.such.Service"});
  const MethodSeries* check = grpc.Find("/grpc.health.v1.Health/Check");
  check->Started();
  check->Handled(5, 0.002);
  const std::map<std::string, double> page = testing::ParsePage(registry.Render());
  const std::string labels =
      "grpc_type=\"unary\",grpc_service=\"grpc.health.v1.Health\",grpc_method=\"Check\"";
  EXPECT_EQ(page.at("grpc_server_started_total{" + labels + "}"), 1);
  EXPECT_EQ(page.at("grpc_server_handled_total{" + labels + ",grpc_code=\"NotFound\"}"), 1);
  EXPECT_EQ(page.at("grpc_server_handled_total{" + labels + ",grpc_code=\"OK\"}"), 0);
  EXPECT_EQ(page.at("grpc_server_handled_total{" + labels + ",grpc_code=\"Unauthenticated\"}"), 0);
  EXPECT_EQ(page.at("grpc_server_handling_seconds_bucket{" + labels + ",le=\"0.001\"}"), 0);
  EXPECT_EQ(page.at("grpc_server_handling_seconds_bucket{" + labels + ",le=\"0.0025\"}"), 1);
  EXPECT_EQ(page.at("grpc_server_handling_seconds_count{" + labels + "}"), 1);
  EXPECT_EQ(
      page.count("grpc_server_started_total{grpc_type=\"server_stream\",grpc_service=\"grpc.health."
                 "v1.Health\",grpc_method=\"Watch\"}"),
      1u);
}

TEST(GrpcServerMetricsTest, UnknownPathsFoldIntoOneSeries) {
  Registry registry;
  GrpcServerMetrics grpc(registry, {"grpc.health.v1.Health"});
  const MethodSeries* first = grpc.Find("/made.up.Service/Method1");
  EXPECT_EQ(grpc.Find("/another/path"), first);
  EXPECT_EQ(grpc.Find(""), first);
  first->Started();
  grpc.Find("/x/y")->Handled(12, 0);
  grpc.Find("/x/y")->Handled(99, 0);  // not a code: counted as Unknown
  const std::string page = registry.Render();
  EXPECT_THAT(page, Not(HasSubstr("made.up")));
  const std::string labels =
      "grpc_type=\"unknown\",grpc_service=\"unknown\",grpc_method=\"unknown\"";
  const std::map<std::string, double> samples = testing::ParsePage(page);
  EXPECT_EQ(samples.at("grpc_server_started_total{" + labels + "}"), 1);
  EXPECT_EQ(samples.at("grpc_server_handled_total{" + labels + ",grpc_code=\"Unimplemented\"}"), 1);
  EXPECT_EQ(samples.at("grpc_server_handled_total{" + labels + ",grpc_code=\"Unknown\"}"), 1);
}

TEST(AuthMetricsTest, ReasonsOutsideTheListCountAsOther) {
  Registry registry;
  AuthMetrics auth(registry);
  auth.Denied("TOKEN_MISSING");
  auth.Denied("TOKEN_MISSING");
  auth.Denied("site-42 user@example.com");
  const std::string page = registry.Render();
  EXPECT_THAT(page, Not(HasSubstr("example.com")));
  const std::map<std::string, double> samples = testing::ParsePage(page);
  EXPECT_EQ(samples.at("backinstock_auth_denied_total{reason=\"TOKEN_MISSING\"}"), 2);
  EXPECT_EQ(samples.at("backinstock_auth_denied_total{reason=\"OTHER\"}"), 1);
  EXPECT_EQ(samples.at("backinstock_auth_denied_total{reason=\"ELEVATION_REQUIRED\"}"), 0);
}

TEST(NotificationMetricsTest, DepthFollowsClaimsAndOutcomes) {
  Registry registry;
  NotificationMetrics notifications(registry);
  notifications.Claimed(3);
  notifications.Sent();
  notifications.Failed();
  notifications.Retried();
  std::map<std::string, double> samples = testing::ParsePage(registry.Render());
  EXPECT_EQ(samples.at("backinstock_delivery_queue_depth"), 1);
  EXPECT_EQ(samples.at("backinstock_notifications_total{outcome=\"sent\"}"), 1);
  EXPECT_EQ(samples.at("backinstock_notifications_total{outcome=\"failed\"}"), 1);
  EXPECT_EQ(samples.at("backinstock_notifications_total{outcome=\"retried\"}"), 1);
  notifications.Dropped();
  samples = testing::ParsePage(registry.Render());
  EXPECT_EQ(samples.at("backinstock_delivery_queue_depth"), 0);
  // Metrics off: the same calls do nothing (and do not crash).
  NotificationMetrics off;
  off.Claimed(1);
  off.Sent();
  off.Retried();
}

}  // namespace
}  // namespace backinstock::metrics
