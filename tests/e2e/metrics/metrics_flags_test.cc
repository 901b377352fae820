// --metrics_listen from the outside: off by default, read from the
// environment, a bad address refused at startup; and the etcd figures with a
// real etcd.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/support/etcd_cluster.h"
#include "tests/support/metrics_client.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MetricsFlagsTest : public ::testing::Test {
 protected:
  MetricsFlagsTest() { std::ofstream(keys_path_) << TestKeysJson(); }
  ~MetricsFlagsTest() override { unlink(keys_path_.c_str()); }

  std::unique_ptr<ServerProcess> Start(std::vector<std::string> args,
                                       std::vector<std::pair<std::string, std::string>> env = {}) {
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--audit_log=/dev/null"};
    options.args.insert(options.args.end(), args.begin(), args.end());
    options.env = std::move(env);
    absl::StatusOr<std::unique_ptr<ServerProcess>> process = ServerProcess::Start(options);
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? *std::move(process) : nullptr;
  }

  const std::string keys_path_ = TempPath("keys.json");
};

TEST_F(MetricsFlagsTest, OffByDefault) {
  auto server = Start({});
  ASSERT_NE(server, nullptr);
  EXPECT_THAT(server->Stdout(), Not(HasSubstr("metrics on")));
}

TEST_F(MetricsFlagsTest, ReadFromTheEnvironment) {
  auto server = Start({}, {{"BACKINSTOCK_METRICS_LISTEN", "127.0.0.1:0"}});
  ASSERT_NE(server, nullptr);
  const int port = server->MetricsPort();
  ASSERT_GT(port, 0) << server->Stdout();
  absl::StatusOr<HttpReply> reply = HttpRequest(port, "GET", "/metrics");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_THAT(reply->body, HasSubstr("# TYPE grpc_server_handled_total counter"));
  EXPECT_THAT(reply->body, HasSubstr("process_start_time_seconds "));
}

TEST_F(MetricsFlagsTest, ABadAddressStopsStartup) {
  for (const char* listen : {"nonsense", "127.0.0.1:99999", "no.such.host.invalid:9464"}) {
    auto result =
        RunServerToExit({"--listen=127.0.0.1:0", "--keys_file=" + keys_path_,
                         "--audit_log=/dev/null", std::string("--metrics_listen=") + listen});
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->first, 2) << listen;
    EXPECT_THAT(result->second, HasSubstr("--metrics_listen")) << listen;
  }
}

TEST_F(MetricsFlagsTest, APortInUseStopsStartup) {
  auto first = Start({"--metrics_listen=127.0.0.1:0"});
  ASSERT_NE(first, nullptr);
  const int port = first->MetricsPort();
  ASSERT_GT(port, 0);
  auto result =
      RunServerToExit({"--listen=127.0.0.1:0", "--keys_file=" + keys_path_, "--audit_log=/dev/null",
                       absl::StrCat("--metrics_listen=127.0.0.1:", port)});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->first, 2);
  EXPECT_THAT(result->second, HasSubstr("cannot serve metrics"));
}

TEST_F(MetricsFlagsTest, EtcdTransactionsAreTimedAndSized) {
  if (!EtcdCluster::Available()) GTEST_SKIP() << "etcd (Debian etcd-server) missing";
  absl::StatusOr<std::unique_ptr<EtcdCluster>> etcd = EtcdCluster::Start(1);
  ASSERT_TRUE(etcd.ok()) << etcd.status();
  auto server = Start(
      {"--metrics_listen=127.0.0.1:0", "--store=etcd", "--etcd_endpoints=" + (*etcd)->Endpoints()});
  ASSERT_NE(server, nullptr);
  const int port = server->MetricsPort();
  ASSERT_GT(port, 0);
  auto scrape = [&] {
    absl::StatusOr<HttpReply> reply = HttpRequest(port, "GET", "/metrics");
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? ParsePage(reply->body) : std::map<std::string, double>();
  };
  const std::map<std::string, double> before = scrape();
  SettingsCalls calls(grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials()));
  // Start and Stop, one at a time: each is one transaction sent alone.
  ASSERT_TRUE(calls.Set(As("site-e", "user"), true).ok());
  ASSERT_TRUE(calls.Set(As("site-e", "user"), false).ok());
  const std::map<std::string, double> after = scrape();
  const auto moved = [&](const std::string& series) {
    return after.at(series) - before.at(series);
  };
  EXPECT_GE(moved("backinstock_etcd_txn_seconds_count"), 2);
  EXPECT_EQ(moved("backinstock_etcd_txn_group_size_count"),
            moved("backinstock_etcd_txn_seconds_count"));
  // Calls one at a time are never grouped: every one carried one write.
  EXPECT_EQ(moved("backinstock_etcd_txn_group_size_bucket{le=\"1\"}"),
            moved("backinstock_etcd_txn_group_size_count"));
}

}  // namespace
}  // namespace backinstock::testing
