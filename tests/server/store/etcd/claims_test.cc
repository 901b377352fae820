// A replica SIGKILLed while delivering a report's emails leaves its claimed
// requests PROCESSING with their emails queued; once its lease expires the
// other replica takes them over and delivers each, with the Message-ID the
// dead one would have used, and the requests end NOTIFICATION_SENT.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "tests/server/store/etcd/replicas.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

// A "relay" that takes connections into its backlog and never answers: a
// replica sending to it waits for the greeting, its emails claimed.
class SilentRelay {
 public:
  SilentRelay() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentRelay() {
    if (fd_ >= 0) close(fd_);
  }
  bool ok() const { return port_ != 0; }
  std::string url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class EtcdClaimRecoveryTest : public EtcdReplicasTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(relay_.ok());
    ASSERT_NO_FATAL_FAILURE(StartCluster());
    // A short lease, so that a dead replica's claims expire quickly.
    ASSERT_NO_FATAL_FAILURE(StartReplica(
        {"--etcd_lease_ttl=2s", "--smtp_url=" + relay_.url(), "--mail_from=shop@example.com"}));
    ASSERT_NO_FATAL_FAILURE(StartReplica({"--etcd_lease_ttl=2s"}));
  }

  SilentRelay relay_;
};

TEST_F(EtcdClaimRecoveryTest, EmailsQueuedByAKilledReplicaAreDeliveredByTheOther) {
  const std::string site = "shop-orphans";
  const Credentials owner = As(site, "user");
  const Credentials visitor = As(site, "visitor");
  ASSERT_TRUE(B().settings->Set(owner, true).ok());
  constexpr int kRequests = 12;  // more than A's delivery workers
  std::set<std::string> ids;
  for (int i = 0; i < kRequests; ++i) {
    auto created = B().requests->Create(visitor, "sku-o", absl::StrCat("o", i, "@example.com"));
    ASSERT_TRUE(created.ok()) << created.status();
    ids.insert(created->id());
  }
  // A reports by catalog reference from its own cache: it must know them all.
  ASSERT_TRUE(Eventually([&] {
    auto counts = A().requests->Count(owner, {RequestCalls::Reference("sku-o")});
    return counts.ok() && (*counts)[0] == kRequests;
  }));

  // A claims every request and queues its email, answers, then its workers
  // wait on the silent relay.
  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Shirt");
  report.mutable_item_details()->set_price("10.00");
  *report.mutable_catalog_reference() = RequestCalls::Reference("sku-o");
  ASSERT_TRUE(A().requests->Report(owner, report).ok());
  for (const std::string& id : ids) {
    auto request = A().requests->Get(owner, id);
    ASSERT_TRUE(request.ok()) << request.status();
    EXPECT_EQ(request->status(), NotificationRequest::PROCESSING) << id;
  }
  auto killed = A().process->Stop(SIGKILL);
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_TRUE(WIFSIGNALED(*killed));

  // Within the lease TTL (2 s) plus slack, B takes every one over and sends it.
  for (const std::string& id : ids) {
    NotificationRequest::Status status = NotificationRequest::PROCESSING;
    EXPECT_TRUE(Eventually(
        [&] {
          auto request = B().requests->Get(owner, id);
          status = request.ok() ? request->status() : status;
          return status != NotificationRequest::PROCESSING;
        },
        absl::Seconds(60)))
        << id << " still PROCESSING: " << B().process->Stderr();
    EXPECT_EQ(status, NotificationRequest::NOTIFICATION_SENT) << id;
  }
  const std::vector<std::string> mailed = MailedIds(B());
  EXPECT_EQ(mailed.size(), ids.size());
  EXPECT_EQ(std::set<std::string>(mailed.begin(), mailed.end()), ids);
  // The log is written in batches by a thread of its own: wait for the line.
  EXPECT_TRUE(Eventually([&] {
    return B().process->Stderr().find("took over the queued email") != std::string::npos;
  })) << B().process->Stderr();

  // The requests are closed: the same item and email can be asked for again.
  auto again = B().requests->Create(visitor, "sku-o", "o0@example.com");
  ASSERT_TRUE(again.ok()) << again.status();
}

}  // namespace
}  // namespace backinstock::testing
