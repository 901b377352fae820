// Failures under two replicas over a 3-member etcd cluster: an etcd member
// killed in the middle of a mixed load, the quorum lost and regained, a
// replica killed with SIGKILL. Acknowledged writes are never lost.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/server/store/etcd/replicas.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

bool Collecting(const v1::BackInStockSettings& settings) {
  for (const auto& state : settings.collection_states()) {
    if (state.app_id() == kStoresApp) return state.collecting_requests();
  }
  return false;
}

// What one client thread knows about its own site.
struct SiteHistory {
  std::string site;
  int64_t acked_revision = 0;
  bool acked_collecting = false;
  bool unknown = false;              // the last settings write failed: it may have landed
  std::vector<std::string> created;  // acknowledged request ids
  int acked_after_kill = 0;
};

TEST_F(EtcdReplicasTest, KillingOneEtcdMemberDuringLoadLosesNoAcknowledgedWrite) {
  constexpr int kThreads = 4;
  std::vector<SiteHistory> sites(kThreads);
  for (int t = 0; t < kThreads; ++t) sites[t].site = absl::StrCat("shop-load-", t);
  std::atomic<bool> killed{false};
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  std::atomic<int> acked_after_kill{0};
  std::atomic<int> failures{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SiteHistory& history = sites[t];
      const Credentials owner = As(history.site, "user");
      const Credentials visitor = As(history.site, "visitor");
      for (int op = 0; !stop.load(); ++op) {
        // Alternate replicas, and settings writes with creates.
        Replica& replica = (op + t) % 2 == 0 ? A() : B();
        const bool after_kill = killed.load();
        bool ok = false;
        if (op % 2 == 0) {
          const bool collecting = !history.acked_collecting || history.unknown;
          auto settings = replica.settings->Set(owner, collecting);
          if (settings.ok()) {
            history.acked_revision = settings->revision();
            history.acked_collecting = Collecting(*settings);
            history.unknown = false;
            ok = true;
          } else {
            history.unknown = true;
          }
        } else if (history.acked_collecting && !history.unknown) {
          auto created = replica.requests->Create(visitor, "sku", absl::StrCat("l", op, "@e.co"));
          if (created.ok()) {
            history.created.push_back(created->id());
            ok = true;
          } else if (created.status().code() == absl::StatusCode::kFailedPrecondition) {
            ok = true;  // collecting went off through an unknown write: not a failure
          }
        } else {
          continue;
        }
        if (ok) {
          acked.fetch_add(1);
          if (after_kill) {
            acked_after_kill.fetch_add(1);
            ++history.acked_after_kill;
          }
        } else {
          failures.fetch_add(1);
        }
      }
    });
  }

  ASSERT_TRUE(Eventually([&] { return acked.load() >= 40; }));
  auto leader = cluster_->Leader();
  ASSERT_TRUE(leader.ok()) << leader.status();
  ASSERT_TRUE(cluster_->Kill(*leader).ok());  // the leader: an election, the worst single loss
  killed.store(true);
  // Calls recover: the load goes on through the remaining two members.
  const bool recovered = Eventually([&] { return acked_after_kill.load() >= 80; });
  stop.store(true);
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(recovered) << "acknowledged after the kill: " << acked_after_kill.load()
                         << ", failures: " << failures.load();

  for (const SiteHistory& history : sites) {
    const Credentials owner = As(history.site, "user");
    for (Replica* replica : {&A(), &B()}) {
      std::optional<v1::BackInStockSettings> seen;
      // The other replica may still be applying this site's last write.
      EXPECT_TRUE(Eventually([&] {
        auto settings = replica->settings->Get(owner);
        if (!settings.ok()) return false;
        seen = *settings;
        return settings->revision() >= history.acked_revision;
      })) << history.site
          << ": revision " << (seen ? seen->revision() : -1) << " < acknowledged "
          << history.acked_revision;
      if (seen && seen->revision() == history.acked_revision) {
        EXPECT_EQ(Collecting(*seen), history.acked_collecting) << history.site;
      } else if (seen) {
        // Only the one write whose outcome was unknown may have landed on top.
        EXPECT_TRUE(history.unknown) << history.site;
        EXPECT_EQ(seen->revision(), history.acked_revision + 1) << history.site;
      }
      for (const std::string& id : history.created) {
        EXPECT_TRUE(Eventually([&] { return replica->requests->Get(owner, id).ok(); }))
            << history.site << ": acknowledged request " << id << " is missing";
      }
    }
  }
}

grpc::health::v1::HealthCheckResponse::ServingStatus StoreHealth(const Replica& replica) {
  auto health = grpc::health::v1::Health::NewStub(replica.channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("backinstock.store");
  grpc::health::v1::HealthCheckResponse response;
  if (!health->Check(&context, request, &response).ok()) {
    return grpc::health::v1::HealthCheckResponse::UNKNOWN;
  }
  return response.status();
}

TEST_F(EtcdReplicasTest, WithoutQuorumWritesFailUnavailableWhileReadsAreServed) {
  using grpc::health::v1::HealthCheckResponse;
  const Credentials owner = As("shop-quorum", "user");
  ASSERT_TRUE(A().settings->Set(owner, true).ok());
  EXPECT_EQ(StoreHealth(A()), HealthCheckResponse::SERVING);

  ASSERT_TRUE(cluster_->Kill(1).ok());
  ASSERT_TRUE(cluster_->Kill(2).ok());
  auto refused = A().settings->Set(owner, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  // The project's storage error, as from the journal: clients can tell it
  // from an overloaded or draining server.
  EXPECT_EQ(errors::ReasonOf(refused.status()), "STORAGE_UNAVAILABLE") << refused.status();
  // Reads go on from the cache, and the health status says writes cannot.
  auto read = A().settings->Get(owner);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->revision(), 1);
  EXPECT_TRUE(Collecting(*read));
  auto read_b = B().settings->Get(owner);
  ASSERT_TRUE(read_b.ok()) << read_b.status();
  EXPECT_TRUE(Eventually([&] { return StoreHealth(A()) == HealthCheckResponse::NOT_SERVING; }));
  // Once the first write has learnt it, the next ones fail without waiting
  // for a deadline: a member without a leader refuses at once.
  auto refused_again = A().settings->Set(owner, false);
  EXPECT_EQ(refused_again.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::ReasonOf(refused_again.status()), "STORAGE_UNAVAILABLE")
      << refused_again.status();

  ASSERT_TRUE(cluster_->Restart(1).ok());
  ASSERT_TRUE(cluster_->Restart(2).ok());
  std::optional<v1::BackInStockSettings> written;
  EXPECT_TRUE(Eventually([&] {
    auto stopped = A().settings->Set(owner, false);
    if (stopped.ok()) written = *stopped;
    return stopped.ok();
  }));
  ASSERT_TRUE(written.has_value());
  // A write refused for want of a leader never lands; the first one may have
  // been reported as of unknown outcome and committed after all once the
  // quorum was back. Either way there is exactly one Stop: revision 2.
  EXPECT_EQ(written->revision(), 2);
  EXPECT_FALSE(Collecting(*written));
  EXPECT_TRUE(Eventually([&] { return StoreHealth(A()) == HealthCheckResponse::SERVING; }))
      << A().process->Stderr();
}

TEST_F(EtcdReplicasTest, AfterSigkillOfOneReplicaTheOtherServesEverything) {
  const std::string site = "shop-sigkill";
  const Credentials owner = As(site, "user");
  const Credentials visitor = As(site, "visitor");
  ASSERT_TRUE(A().settings->Set(owner, true).ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    auto created = A().requests->Create(visitor, "sku-k", absl::StrCat("k", i, "@e.co"));
    ASSERT_TRUE(created.ok()) << created.status();
    ids.push_back(created->id());
  }
  auto status = A().process->Stop(SIGKILL);
  ASSERT_TRUE(status.ok()) << status.status();

  auto settings = B().settings->Get(owner);
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_TRUE(Collecting(*settings));
  for (const std::string& id : ids) {
    EXPECT_TRUE(Eventually([&] { return B().requests->Get(owner, id).ok(); })) << id;
  }
  // B goes on taking writes: a duplicate of A's request is still refused, a
  // report sends every request once.
  auto duplicate = B().requests->Create(visitor, "sku-k", "k0@e.co");
  EXPECT_EQ(duplicate.status().code(), absl::StatusCode::kAlreadyExists);
  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Kilt");
  report.mutable_item_details()->set_price("1.00");
  *report.mutable_catalog_reference() = RequestCalls::Reference("sku-k");
  ASSERT_TRUE(B().requests->Report(owner, report).ok());
  EXPECT_TRUE(Eventually([&] { return MailedIds(B()).size() >= ids.size(); }));
  EXPECT_EQ(MailedIds(B()).size(), ids.size());

  // A new replica in A's place starts from etcd with everything.
  ASSERT_NO_FATAL_FAILURE(StartReplica());
  Replica& c = replicas_.back();
  for (const std::string& id : ids) {
    auto request = c.requests->Get(owner, id);
    ASSERT_TRUE(request.ok()) << request.status();
    EXPECT_EQ(request->status(), NotificationRequest::NOTIFICATION_SENT);
  }
}

}  // namespace
}  // namespace backinstock::testing
