// The real server binary with --data_dir and a real SMTP relay (aiosmtpd),
// SIGKILLed while it delivers a large report and restarted on the same data
// directory, at several points of the delivery: every request must end
// NOTIFICATION_SENT with auto_notified, every address must have its email,
// and an address that got two copies (sent, then killed before the outcome
// was recorded) must have got the same Message-ID twice.
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/e2e/delivery/delivery_test_util.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "crash-shop";
constexpr char kMailFrom[] = "shop@mail.example.com";
// Requests per kill point (each point reports its own item): 3 x 1,000
// keeps the test near half a minute on a loaded two-core machine.
constexpr int kRequestsPerPoint = 1000;

struct KillPoint {
  const char* item;
  double fraction;  // of the item's emails the relay holds when the server is killed
};
constexpr KillPoint kKillPoints[] = {{"kill-at-10", 0.1}, {"kill-at-50", 0.5}, {"kill-at-90", 0.9}};

class DeliveryCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(dir_ / "keys.json", TestKeysJson());
    absl::StatusOr<std::unique_ptr<SmtpRelay>> relay = SmtpRelay::Start();
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = *std::move(relay);
    ASSERT_NO_FATAL_FAILURE(StartServer());
  }
  void TearDown() override {
    calls_.reset();
    server_.reset();
    relay_.reset();
  }

  void StartServer() {
    calls_.reset();
    ServerProcess::Options options;
    options.args = {"--keys_file=" + (dir_ / "keys.json"),
                    "--data_dir=" + (dir_ / "data"),
                    "--audit_log=/dev/null",
                    "--smtp_url=" + relay_->url(),
                    "--smtp_starttls=off",
                    std::string("--mail_from=") + kMailFrom,
                    "--delivery_retry_initial=20ms",
                    "--delivery_retry_max=100ms",
                    "--delivery_max_attempts=1000"};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    calls_ = std::make_unique<RequestCalls>(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
  TempDir dir_{"delivery-crash"};
  std::unique_ptr<SmtpRelay> relay_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<RequestCalls> calls_;
};

TEST_F(DeliveryCrashTest, EveryEmailIsDeliveredAfterSigkillsMidDeliveryWithTheSameMessageId) {
  {
    SettingsCalls settings(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
    ASSERT_TRUE(settings.Set(owner_, true).ok());
  }
  // Every point's requests first, so that each kill also leaves the other
  // items' RECEIVED requests behind to survive untouched.
  std::map<std::string, std::string> address_of;           // request id -> email
  std::map<std::string, std::vector<std::string>> ids_of;  // item -> request ids
  for (const KillPoint& point : kKillPoints) {
    const std::vector<std::string> emails = Addresses(point.item, kRequestsPerPoint);
    absl::StatusOr<std::vector<std::string>> ids =
        CreateRequests(*calls_, visitor_, point.item, emails);
    ASSERT_TRUE(ids.ok()) << ids.status();
    for (size_t i = 0; i < ids->size(); ++i) address_of[(*ids)[i]] = emails[i];
    ids_of[point.item] = *std::move(ids);
  }

  for (const KillPoint& point : kKillPoints) {
    SCOPED_TRACE(point.item);
    const size_t before = relay_->Messages().size();
    const size_t kill_at = before + static_cast<size_t>(point.fraction * kRequestsPerPoint);
    v1::ReportItemsBackInStockRequest report = RequestCalls::ReportOf({});
    *report.mutable_catalog_reference() = RequestCalls::Reference(point.item);
    // The report claims its requests one write at a time while the
    // queue already sends the first ones, so an early kill point may come
    // before the call answers: the kill then ends the call too.
    absl::Status reported = absl::UnknownError("no answer yet");
    std::thread reporter([&, calls = calls_.get()] { reported = calls->Report(owner_, report); });
    const bool reached = Eventually([&] { return relay_->Holds(kill_at); }, absl::Seconds(60),
                                    absl::Milliseconds(2));
    absl::StatusOr<int> killed = server_->Stop(SIGKILL);
    reporter.join();
    ASSERT_TRUE(reached) << "the relay never got " << kill_at - before << " emails";
    ASSERT_TRUE(killed.ok()) << killed.status();
    const size_t at_kill = relay_->Messages().size() - before;
    std::cout << point.item << ": killed with " << at_kill << " of " << kRequestsPerPoint
              << " emails at the relay, the report call "
              << (reported.ok() ? "answered" : "cut short") << "\n";

    ASSERT_NO_FATAL_FAILURE(StartServer());
    if (!reported.ok()) {
      // The caller never heard back, so it reports again, as a client does
      // after an error: what the first call claimed stays claimed (not
      // reported twice), the rest is claimed now.
      ASSERT_TRUE(calls_->Report(owner_, report).ok());
    }
    EXPECT_TRUE(Eventually([&] { return OpenRequests(*calls_, owner_, point.item) == 0; },
                           absl::Seconds(60), absl::Milliseconds(20)))
        << OpenRequests(*calls_, owner_, point.item) << " requests still open after the restart";
  }

  // Every request ended sent, automatically.
  absl::StatusOr<std::map<std::string, NotificationRequest>> all = AllRequests(*calls_, owner_);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), address_of.size());
  int not_sent = 0;
  for (const auto& [id, request] : *all) {
    if (request.status() != NotificationRequest::NOTIFICATION_SENT ||
        !request.auto_notified().value()) {
      if (++not_sent <= 10) {
        ADD_FAILURE() << id << " " << address_of[id] << " ended "
                      << NotificationRequest::Status_Name(request.status());
      }
    }
  }
  EXPECT_EQ(not_sent, 0);

  // Every address got its email; any second copy carries the same Message-ID,
  // the request's own.
  std::map<std::string, std::vector<std::string>> message_ids;  // email -> Message-IDs
  for (const RelayedEmail& email : ReadRelayed(*relay_)) {
    message_ids[email.recipient].push_back(email.message_id);
  }
  int duplicates = 0;
  int wrong = 0;
  for (const auto& [id, email] : address_of) {
    auto it = message_ids.find(email);
    if (it == message_ids.end()) {
      ADD_FAILURE() << email << " got no email";
      continue;
    }
    duplicates += static_cast<int>(it->second.size()) - 1;
    for (const std::string& message_id : it->second) {
      if (message_id != absl::StrCat("<", id, "@mail.example.com>") && ++wrong <= 10) {
        ADD_FAILURE() << email << " got Message-ID " << message_id << ", not its request's " << id;
      }
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(message_ids.size(), address_of.size()) << "emails to addresses nobody asked for";
  std::cout << "second copies after the kills: " << duplicates << "\n";
  RecordProperty("duplicates", duplicates);
}

}  // namespace
}  // namespace backinstock::testing
