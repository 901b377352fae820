// EraseCustomerData with --store=etcd and a short --etcd_compaction_interval:
// before the erase, etcd's current values hold the address; after it, a range
// read at that old revision is refused as compacted (the history that held
// the erased values is gone), the current values hold the address nowhere,
// and the replica, whose watch saw the compaction, keeps serving and writing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/store/etcd/etcd_client.h"
#include "tests/e2e/personal_data/customer_data_calls.h"
#include "tests/support/etcd_cluster.h"
#include "tests/support/eventually.h"
#include "tests/support/maildir.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "pd-etcd";
constexpr char kAddress[] = "Forget.Me@Example.net";

// Every key of the cluster at `revision` (0: the current one).
absl::StatusOr<etcdserverpb::RangeResponse> Everything(const store::etcd::EtcdClient& client,
                                                       int64_t revision) {
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(1, '\0'));
  request.set_range_end(std::string(1, '\0'));
  request.set_revision(revision);
  return client.Range(request);
}

int ValuesHolding(const etcdserverpb::RangeResponse& response, const std::string& needle) {
  int holding = 0;
  for (const auto& kv : response.kvs()) {
    if (absl::AsciiStrToLower(kv.value()).find(needle) != std::string::npos ||
        absl::AsciiStrToLower(kv.key()).find(needle) != std::string::npos) {
      ++holding;
    }
  }
  return holding;
}

TEST(EtcdEraseTest, ErasedValuesLeaveEtcdsHistoryWithinTheCompactionInterval) {
  ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  auto cluster = EtcdCluster::Start(1);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  store::etcd::EtcdOptions etcd_options;
  etcd_options.endpoints = {(*cluster)->ClientAddress(0)};
  auto client = store::etcd::EtcdClient::Connect(etcd_options);
  ASSERT_TRUE(client.ok()) << client.status();

  runtime::ServerConfig config = TestConfig();
  config.store = "etcd";
  config.etcd_endpoints = {(*cluster)->ClientAddress(0)};
  config.etcd_compaction_interval = absl::Seconds(1);
  config.mail_dir = TempPath("pd-etcd-mail");
  TestServer server(config);
  SettingsCalls settings(server.channel());
  RequestCalls calls(server.channel());
  CustomerDataCalls data(server.channel());
  const Credentials owner = As(kSite, "user");
  ASSERT_TRUE(settings.Set(owner, true).ok());

  std::vector<std::string> kept;
  for (int i = 0; i < 5; ++i) {
    auto created = calls.Create(As(kSite, "visitor"), absl::StrCat("item-", i),
                                absl::StrCat("stays", i, "@example.net"));
    ASSERT_TRUE(created.ok()) << created.status();
    kept.push_back(created->id());
  }
  std::vector<std::string> erased;
  for (const char* item : {"mug", "hat"}) {
    auto created = calls.Create(As(kSite, "visitor"), item, kAddress);
    ASSERT_TRUE(created.ok()) << created.status();
    erased.push_back(created->id());
  }
  ASSERT_TRUE(calls.Mark(owner, erased[0]).ok());  // a second value in the history

  const std::string needle = absl::AsciiStrToLower(kAddress);
  auto before = Everything(**client, 0);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(ValuesHolding(*before, needle), 2) << "the test should see the values it erases";
  const int64_t old_revision = before->header().revision();

  auto result = data.Erase(owner, kAddress);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->erased_count(), 2);

  absl::Status at_old_revision;
  EXPECT_TRUE(Eventually([&] {
    auto read = Everything(**client, old_revision);
    at_old_revision = read.status();
    return store::etcd::EtcdClient::AlreadyCompacted(read.status());
  })) << "a read at revision "
      << old_revision << " still answers: " << at_old_revision;
  auto now = Everything(**client, 0);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(ValuesHolding(*now, needle), 0);

  // The replica's cache re-read after the compaction; it still serves the
  // others and takes writes.
  for (const std::string& id : kept) EXPECT_TRUE(calls.Get(owner, id).ok()) << id;
  for (const std::string& id : erased) {
    EXPECT_EQ(calls.Get(owner, id).status().code(), absl::StatusCode::kNotFound) << id;
  }
  auto later = calls.Create(As(kSite, "visitor"), "later", "later@example.net");
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_TRUE(Eventually([&] { return calls.Get(owner, later->id()).ok(); }));
  RemoveTree(config.mail_dir);
}

}  // namespace
}  // namespace backinstock::testing
