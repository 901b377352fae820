// SIGTERM while every etcd member hangs (SIGSTOP): hundreds of writes wait in
// the replica's write queue and on etcd. The process must still exit within
// --shutdown_grace plus a bound: calls that have not started are answered
// UNAVAILABLE, and the store calls in flight are cancelled. The bound is a
// generous deadline for the process to exit, not a performance figure.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "tests/server/store/etcd/replicas.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

constexpr absl::Duration kGrace = absl::Seconds(2);
// Well above what the exit takes (a second or two after the grace period),
// and well below what waiting out the queued writes' etcd deadlines would.
constexpr absl::Duration kExitBound = absl::Seconds(15);
constexpr int kWrites = 400;

class EtcdShutdownTest : public EtcdReplicasTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartCluster());
    ASSERT_NO_FATAL_FAILURE(
        StartReplica({absl::StrCat("--shutdown_grace=", absl::ToInt64Seconds(kGrace), "s"),
                      "--max_concurrent_streams=1000"}));
  }
  void TearDown() override {
    for (int i = 0; i < cluster_->size(); ++i) (void)cluster_->Resume(i);
    EtcdReplicasTest::TearDown();
  }
};

TEST_F(EtcdShutdownTest, SigtermEndsTheProcessWhileWritesWaitOnAHungCluster) {
  ASSERT_TRUE(A().settings->Set(As("shop-warm", "user"), true).ok());
  for (int i = 0; i < cluster_->size(); ++i) ASSERT_TRUE(cluster_->Pause(i).ok());

  // Writes to as many sites: 32 wait on etcd, the rest in the write queue.
  auto stub = v1::BackInStockSettingsService::NewStub(A().channel);
  struct Call {
    grpc::ClientContext context;
    v1::StartCollectingRequestsRequest request;
    v1::StartCollectingRequestsResponse response;
  };
  std::vector<std::unique_ptr<Call>> calls;
  absl::Mutex mu;
  std::map<std::string, int> outcomes;
  int done = 0;
  for (int i = 0; i < kWrites; ++i) {
    auto call = std::make_unique<Call>();
    Authorize(call->context, As(absl::StrCat("shop-hung-", i), "user").identity);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
    call->request.set_app_id(kStoresApp);
    stub->async()->StartCollectingRequests(
        &call->context, &call->request, &call->response, [&](grpc::Status status) {
          absl::MutexLock lock(&mu);
          ++outcomes[absl::StrCat(status.error_code(), " ", status.error_message())];
          ++done;
        });
    calls.push_back(std::move(call));
  }
  // A read sent after them on the same connection: once it is answered, the
  // server has taken in the writes before it.
  ASSERT_TRUE(A().settings->Get(As("shop-warm", "user")).ok());
  {
    absl::MutexLock lock(&mu);
    ASSERT_EQ(done, 0) << "every write waits on the hung cluster";
  }

  const absl::Time sigterm = absl::Now();
  absl::StatusOr<int> exit = A().process->Stop(SIGTERM, kGrace + kExitBound);
  const absl::Duration took = absl::Now() - sigterm;
  ASSERT_TRUE(exit.ok()) << "still running " << kGrace + kExitBound
                         << " after SIGTERM: " << exit.status();
  EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0) << *exit;
  std::cout << "exit " << took << " after SIGTERM (grace " << kGrace << ")\n";

  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&mu);
    return done == kWrites;
  }));
  for (const auto& [outcome, count] : outcomes) std::cout << count << " x " << outcome << "\n";
  EXPECT_NE(A().process->Stderr().find("shutdown grace period over"), std::string::npos)
      << A().process->Stderr();
}

}  // namespace
}  // namespace backinstock::testing
