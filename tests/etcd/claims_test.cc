// A replica SIGKILLed in the middle of a report leaves its claimed requests
// PROCESSING; once its lease expires the other replica settles them FAILED
// (auto_notified, never resent) and the item and email are free again.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <thread>

#include "tests/etcd/replicas.h"

namespace backinstock::testing {
namespace {

// Polls `probe` until it holds or `timeout` passes (the lease TTL plus
// generous slack for a loaded machine: this bounds a failure, not a timing).
bool Within(absl::Duration timeout, const std::function<bool()>& probe) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return probe();
}

// A FIFO as notification outbox that nobody reads: the test holds its read
// end open (so the server can open it) and fills the pipe, so the server's
// first notification write blocks for good, with its batch claimed.
class StuckOutbox {
 public:
  StuckOutbox() : path_(TempPath("etcd-stuck-outbox")) {
    if (mkfifo(path_.c_str(), 0600) != 0) return;
    reader_ = open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    writer_ = open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (reader_ < 0 || writer_ < 0) return;
    // Big writes first, then single bytes until not even one fits.
    const std::string chunk(4096, 'x');
    while (write(writer_, chunk.data(), chunk.size()) > 0) {
    }
    while (write(writer_, "x", 1) > 0) {
    }
    full_ = errno == EAGAIN;
  }
  ~StuckOutbox() {
    if (writer_ >= 0) close(writer_);
    if (reader_ >= 0) close(reader_);
    std::remove(path_.c_str());
  }
  bool ok() const { return full_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int reader_ = -1;
  int writer_ = -1;
  bool full_ = false;
};

class EtcdClaimRecoveryTest : public EtcdReplicasTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(outbox_.ok()) << "cannot set up a blocking outbox at " << outbox_.path();
    ASSERT_NO_FATAL_FAILURE(StartCluster());
    // A short lease, so that a dead replica's claims expire quickly.
    ASSERT_NO_FATAL_FAILURE(StartReplica(outbox_.path(), {"--etcd_lease_ttl=2s"}));
    ASSERT_NO_FATAL_FAILURE(StartReplica("", {"--etcd_lease_ttl=2s"}));
  }

  StuckOutbox outbox_;
};

TEST_F(EtcdClaimRecoveryTest, RequestsClaimedByAKilledReplicaBecomeFailedAndReopenable) {
  const std::string site = "shop-orphans";
  const Credentials owner = As(site, "user");
  const Credentials visitor = As(site, "visitor");
  ASSERT_TRUE(B().settings->Set(owner, true).ok());
  constexpr int kRequests = 3;
  std::vector<std::string> ids;
  for (int i = 0; i < kRequests; ++i) {
    auto created = B().requests->Create(visitor, "sku-o", absl::StrCat("o", i, "@example.com"));
    ASSERT_TRUE(created.ok()) << created.status();
    ids.push_back(created->id());
  }
  // A reports by catalog reference from its own cache: it must know them all.
  ASSERT_TRUE(Within(absl::Seconds(30), [&] {
    auto counts = A().requests->Count(owner, {RequestCalls::Reference("sku-o")});
    return counts.ok() && (*counts)[0] == kRequests;
  }));

  // A claims the batch, then blocks writing the first notification.
  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Shirt");
  report.mutable_item_details()->set_price("10.00");
  *report.mutable_catalog_reference() = RequestCalls::Reference("sku-o");
  absl::Status reported;
  std::thread reporter([&] { reported = A().requests->Report(owner, report); });
  const bool claimed = Within(absl::Seconds(30), [&] {
    for (const std::string& id : ids) {
      auto request = B().requests->Get(owner, id);
      if (!request.ok() || request->status() != NotificationRequest::PROCESSING) return false;
    }
    return true;
  });
  auto killed = A().process->Stop(SIGKILL);
  reporter.join();
  ASSERT_TRUE(claimed) << "A never claimed the requests";
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_TRUE(WIFSIGNALED(*killed));
  EXPECT_FALSE(reported.ok()) << "A's report cannot have finished";

  // Within the lease TTL (2 s) plus slack, B settles every one FAILED.
  const bool settled = Within(absl::Seconds(60), [&] {
    for (const std::string& id : ids) {
      auto request = B().requests->Get(owner, id);
      if (!request.ok() || request->status() != NotificationRequest::FAILED) return false;
    }
    return true;
  });
  ASSERT_TRUE(settled) << B().process->Stderr();
  for (const std::string& id : ids) {
    auto request = B().requests->Get(owner, id);
    ASSERT_TRUE(request.ok()) << request.status();
    EXPECT_EQ(request->status(), NotificationRequest::FAILED);
    EXPECT_TRUE(request->has_auto_notified() && request->auto_notified().value()) << id;
  }
  // The log is written in batches by a thread of its own: wait for the line.
  EXPECT_TRUE(Within(absl::Seconds(30), [&] {
    return B().process->Stderr().find("marked FAILED, not resent") != std::string::npos;
  })) << B().process->Stderr();
  // Nothing was sent: A never got a line out, B never resent.
  EXPECT_TRUE(OutboxIds(B()).empty());

  // The requests are closed: the same item and email can be asked for again.
  auto again = B().requests->Create(visitor, "sku-o", "o0@example.com");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_NE(again->id(), ids[0]);
}

}  // namespace
}  // namespace backinstock::testing
