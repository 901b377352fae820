// --store, --etcd_endpoints, --etcd_lease_ttl, --etcd_txns_in_flight,
// --etcd_write_attempt_timeout and --etcd_compaction_interval are checked
// before the server starts.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/server_process.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

class EtcdFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(keys_) << TestKeysJson(); }
  void TearDown() override { std::remove(keys_.c_str()); }

  // Exit code and stderr of the server started with `args`.
  std::pair<int, std::string> Run(std::vector<std::string> args) {
    args.push_back("--keys_file=" + keys_);
    args.push_back("--listen=127.0.0.1:0");
    auto result = RunServerToExit(args);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : std::make_pair(-1, std::string());
  }

  const std::string keys_ = TempPath("etcd-flags-keys");
};

TEST_F(EtcdFlagsTest, BadStoreSettingsAreRefusedAtStartup) {
  auto [code, err] = Run({"--store=postgres"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("--store must be memory or etcd"), std::string::npos) << err;

  std::tie(code, err) = Run({"--store=etcd"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("--store=etcd needs --etcd_endpoints"), std::string::npos) << err;

  std::tie(code, err) =
      Run({"--store=etcd", "--etcd_endpoints=127.0.0.1:2379", "--data_dir=/tmp/x"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("--data_dir is for --store=memory"), std::string::npos) << err;

  std::tie(code, err) = Run({"--store=etcd", "--etcd_endpoints=127.0.0.1"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("is not host:port"), std::string::npos) << err;

  // etcd grants no lease shorter than 2 s.
  std::tie(code, err) =
      Run({"--store=etcd", "--etcd_endpoints=127.0.0.1:2379", "--etcd_lease_ttl=1s"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("--etcd_lease_ttl must be at least 2s"), std::string::npos) << err;

  std::tie(code, err) =
      Run({"--store=etcd", "--etcd_endpoints=127.0.0.1:2379", "--etcd_txns_in_flight=-1"});
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("--etcd_txns_in_flight must be 0 or more"), std::string::npos) << err;

  for (const char* timeout :
       {"--etcd_write_attempt_timeout=10ms", "--etcd_write_attempt_timeout=6s"}) {
    std::tie(code, err) = Run({"--store=etcd", "--etcd_endpoints=127.0.0.1:2379", timeout});
    EXPECT_NE(code, 0);
    EXPECT_NE(err.find("--etcd_write_attempt_timeout must be within 100ms..5s"), std::string::npos)
        << err;
  }
  for (const char* interval : {"0s", "-5m", "500ms"}) {
    std::tie(code, err) = Run({"--store=etcd", "--etcd_endpoints=127.0.0.1:2379",
                               std::string("--etcd_compaction_interval=") + interval});
    EXPECT_NE(code, 0) << interval;
    EXPECT_NE(err.find("--etcd_compaction_interval must be at least 1s"), std::string::npos)
        << interval << ": " << err;
  }
}

TEST_F(EtcdFlagsTest, TheEnvironmentSelectsTheStoreToo) {
  auto result = RunServerToExit({"--keys_file=" + keys_, "--listen=127.0.0.1:0"},
                                {{"BACKINSTOCK_STORE", "etcd"}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->first, 0);
  EXPECT_NE(result->second.find("--store=etcd needs --etcd_endpoints"), std::string::npos)
      << result->second;
}

}  // namespace
}  // namespace backinstock::testing
