// Retention with two replicas over one etcd cluster: only the replica holding
// the leader key sweeps, and when it dies (SIGKILL) the other takes over once
// the dead one's lease expires.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/retention/etcd_sweep_leadership.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/txn.h"
#include "tests/e2e/retention/retention_e2e_util.h"
#include "tests/server/store/etcd/replicas.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "retention-etcd";
constexpr char kSettledDeleted[] = "backinstock_retention_deleted_total{kind=\"settled\"}";

class EtcdRetentionTest : public EtcdReplicasTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartCluster());
    for (int i = 0; i < 2; ++i) {
      ASSERT_NO_FATAL_FAILURE(StartReplica(
          {"--retention_settled=1s", "--retention_open=0", "--retention_sweep_interval=100ms",
           "--etcd_lease_ttl=2s", "--metrics_listen=127.0.0.1:0"}));
      metrics_ports_.push_back(replicas_.back().process->MetricsPort());
      ASSERT_GT(metrics_ports_.back(), 0);
    }
    store::etcd::EtcdOptions options;
    options.endpoints = {cluster_->ClientAddress(0)};
    auto client = store::etcd::EtcdClient::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    etcd_ = *std::move(client);
  }

  // Settled requests made through `replica`: created and marked sent.
  std::vector<std::string> Settled(Replica& replica, const std::string& prefix, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
      const std::string email = absl::StrCat(prefix, i, "@customers.example");
      auto created = replica.requests->Create(visitor_, "item-" + email, email);
      EXPECT_TRUE(created.ok()) << created.status();
      if (!created.ok()) continue;
      EXPECT_TRUE(replica.requests->Mark(owner_, created->id()).ok());
      ids.push_back(created->id());
    }
    return ids;
  }

  bool AllGone(Replica& reader, const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      if (Exists(*reader.requests, owner_, id)) return false;
    }
    return true;
  }

  double Deleted(int replica) { return MetricValue(metrics_ports_[replica], kSettledDeleted); }

  // The lease the leader key is on; 0 when it is absent.
  int64_t LeaderLease() {
    auto read = etcd_->Range(store::etcd::GetRequest(retention::kEtcdLeaderKey));
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->kvs().empty()) return 0;
    return read->kvs(0).lease();
  }

  std::vector<int> metrics_ports_;
  std::unique_ptr<store::etcd::EtcdClient> etcd_;
  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
};

TEST_F(EtcdRetentionTest, OneReplicaSweepsAndTheOtherTakesOverWhenItDies) {
  ASSERT_TRUE(A().settings->Set(owner_, true).ok());
  const std::vector<std::string> first = Settled(A(), "first", 10);
  ASSERT_EQ(first.size(), 10u);
  ASSERT_TRUE(Eventually([&] { return AllGone(B(), first); }, absl::Seconds(60)));
  ASSERT_TRUE(Eventually([&] { return Deleted(0) + Deleted(1) == 10; }, absl::Seconds(30)))
      << Deleted(0) << " + " << Deleted(1);
  // Exactly one replica deleted them all: the one holding the leader key.
  const int sweeper = Deleted(0) == 10 ? 0 : 1;
  const int other = 1 - sweeper;
  EXPECT_EQ(Deleted(sweeper), 10);
  EXPECT_EQ(Deleted(other), 0);
  const int64_t first_lease = LeaderLease();
  EXPECT_NE(first_lease, 0);

  // The sweeper dies; what is settled now is swept by the other once the
  // dead replica's lease (and with it the leader key) has expired.
  ASSERT_TRUE(replicas_[sweeper].process->Stop(SIGKILL).ok());
  const std::vector<std::string> second = Settled(replicas_[other], "second", 5);
  ASSERT_EQ(second.size(), 5u);
  ASSERT_TRUE(Eventually([&] { return AllGone(replicas_[other], second); }, absl::Seconds(60)));
  ASSERT_TRUE(Eventually([&] { return Deleted(other) == 5; }, absl::Seconds(30))) << Deleted(other);
  const int64_t second_lease = LeaderLease();
  EXPECT_NE(second_lease, 0);
  EXPECT_NE(second_lease, first_lease);
}

}  // namespace
}  // namespace backinstock::testing
