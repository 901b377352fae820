// Background delivery end to end against a real SMTP relay (aiosmtpd,
// tests/support/smtp_relay): an in-process server reports, its delivery queue
// sends over SMTP, and the tests read what the relay stored and what became
// of each request: one email per address, a temporary refusal retried without
// holding up the others, a permanent one failing that request only, a relay
// that is down for a while, and a slow relay that leaves gRPC calls alone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "tests/e2e/delivery/delivery_test_util.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "delivery-shop";
constexpr char kMailFrom[] = "shop@mail.example.com";
constexpr char kItem[] = "shirt";

// A loopback port nothing listens on now (the kernel picked it free).
absl::StatusOr<int> UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("bind failed");
  }
  close(fd);
  return ntohs(address.sin_port);
}

// Retries come quickly, so that a test sees several.
runtime::ServerConfig RelayConfig(int relay_port, int concurrency = 8,
                                  absl::Duration retry_initial = absl::Milliseconds(20),
                                  absl::Duration retry_max = absl::Milliseconds(100)) {
  runtime::ServerConfig config = TestConfig();
  config.smtp.url = absl::StrCat("smtp://127.0.0.1:", relay_port);
  config.smtp.starttls = "off";
  config.smtp.mail_from = kMailFrom;
  config.smtp.timeout = absl::Seconds(30);
  config.delivery_concurrency = concurrency;
  config.delivery_retry_initial = retry_initial;
  config.delivery_retry_max = retry_max;
  config.delivery_max_attempts = 1000;
  return config;
}

// A request's UPDATED events, as operators read them: the claim (queued, no
// attempt yet), one event per deferred attempt (attempts counting up, the
// relay's answer, the next attempt due), then the one that settles it.
void ExpectDeliveryHistory(const std::vector<EventLog::Update>& updates,
                           NotificationRequest::Status settled, int deferred,
                           const std::string& deferred_error, const std::string& final_error) {
  ASSERT_EQ(updates.size(), static_cast<size_t>(deferred) + 2);
  for (size_t i = 0; i < updates.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("update ", i));
    const EventLog::Update& update = updates[i];
    const bool last = i + 1 == updates.size();
    EXPECT_EQ(update.status, last ? settled : NotificationRequest::PROCESSING);
    ASSERT_TRUE(update.has_delivery);
    EXPECT_EQ(update.delivery.attempts(), static_cast<int>(i));
    EXPECT_GT(update.delivery.queued_time().seconds(), 0);
    if (i == 0) {
      EXPECT_EQ(update.delivery.last_error(), "");
    } else if (!last) {
      EXPECT_NE(update.delivery.last_error().find(deferred_error), std::string::npos)
          << update.delivery.last_error();
      EXPECT_TRUE(update.delivery.has_next_attempt_time());
    } else {
      EXPECT_FALSE(update.delivery.has_next_attempt_time());
      if (final_error.empty()) {
        EXPECT_EQ(update.delivery.last_error(), "");
      } else {
        EXPECT_NE(update.delivery.last_error().find(final_error), std::string::npos)
            << update.delivery.last_error();
      }
    }
  }
}

class RelayDeliveryE2e : public ::testing::Test {
 protected:
  void StartRelay(std::vector<std::string> rules, int port = 0) {
    SmtpRelay::Options options;
    options.rules = std::move(rules);
    options.port = port;
    absl::StatusOr<std::unique_ptr<SmtpRelay>> relay = SmtpRelay::Start(options);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = *std::move(relay);
  }
  void StartServer(runtime::ServerConfig config) {
    server_ = std::make_unique<TestServer>(std::move(config));
    calls_ = std::make_unique<RequestCalls>(server_->channel());
    settings_ = std::make_unique<SettingsCalls>(server_->channel());
    ASSERT_TRUE(settings_->Set(owner_, true).ok());
  }
  void TearDown() override {
    events_.reset();
    calls_.reset();
    settings_.reset();
    server_.reset();
    relay_.reset();
  }

  std::vector<std::string> Create(const std::vector<std::string>& emails) {
    absl::StatusOr<std::vector<std::string>> ids = CreateRequests(*calls_, visitor_, kItem, emails);
    EXPECT_TRUE(ids.ok()) << ids.status();
    return ids.ok() ? *ids : std::vector<std::string>();
  }
  // Reports every open request on the item (one call, any number).
  void ReportItem() {
    v1::ReportItemsBackInStockRequest report = RequestCalls::ReportOf({});
    *report.mutable_catalog_reference() = RequestCalls::Reference(kItem);
    ASSERT_TRUE(calls_->Report(owner_, report).ok());
  }
  // Waits until no request on the item is open; then every request by id.
  std::map<std::string, NotificationRequest> Settled(absl::Duration timeout = absl::Seconds(60)) {
    EXPECT_TRUE(Eventually([&] { return OpenRequests(*calls_, owner_, kItem) == 0; }, timeout,
                           absl::Milliseconds(20)))
        << OpenRequests(*calls_, owner_, kItem) << " requests still open";
    absl::StatusOr<std::map<std::string, NotificationRequest>> all = AllRequests(*calls_, owner_);
    EXPECT_TRUE(all.ok()) << all.status();
    return all.ok() ? *all : std::map<std::string, NotificationRequest>();
  }
  // Request `id`'s UPDATED events, once the event log has seen it settle.
  std::vector<EventLog::Update> SettledUpdates(const std::string& id) {
    std::vector<EventLog::Update> updates;
    EXPECT_TRUE(Eventually([&] {
      updates = events_->Updates(id);
      return !updates.empty() && updates.back().status != NotificationRequest::PROCESSING;
    })) << "no event settled "
        << id;
    return updates;
  }
  // Relayed emails by recipient.
  std::map<std::string, std::vector<RelayedEmail>> ByRecipient() {
    std::map<std::string, std::vector<RelayedEmail>> by;
    for (RelayedEmail& email : ReadRelayed(*relay_)) by[email.recipient].push_back(email);
    return by;
  }

  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
  std::unique_ptr<SmtpRelay> relay_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<RequestCalls> calls_;
  std::unique_ptr<SettingsCalls> settings_;
  std::unique_ptr<EventLog> events_;
};

TEST_F(RelayDeliveryE2e, AReportForFiveHundredRequestsSendsExactlyOneEmailToEachAddress) {
  ASSERT_NO_FATAL_FAILURE(StartRelay({}));
  ASSERT_NO_FATAL_FAILURE(StartServer(RelayConfig(relay_->port())));
  const std::vector<std::string> emails = Addresses("fivehundred", 500);
  const std::vector<std::string> ids = Create(emails);
  ASSERT_EQ(ids.size(), emails.size());
  ASSERT_NO_FATAL_FAILURE(ReportItem());

  const std::map<std::string, NotificationRequest> all = Settled();
  ASSERT_EQ(all.size(), ids.size());
  for (const std::string& id : ids) {
    const NotificationRequest& request = all.at(id);
    EXPECT_EQ(request.status(), NotificationRequest::NOTIFICATION_SENT) << id;
    EXPECT_TRUE(request.has_auto_notified() && request.auto_notified().value()) << id;
  }
  const std::vector<RelayedEmail> relayed = ReadRelayed(*relay_);
  EXPECT_EQ(relayed.size(), emails.size());
  std::map<std::string, std::string> id_of;  // recipient -> request id
  for (size_t i = 0; i < emails.size(); ++i) id_of[emails[i]] = ids[i];
  std::set<std::string> recipients;
  for (const RelayedEmail& email : relayed) {
    EXPECT_TRUE(recipients.insert(email.recipient).second)
        << "a second email to " << email.recipient;
    ASSERT_EQ(id_of.count(email.recipient), 1u) << email.recipient;
    EXPECT_EQ(RequestIdOf(email.message_id), id_of[email.recipient]) << email.message_id;
    EXPECT_EQ(email.attempt, 1) << email.recipient;
  }
  EXPECT_EQ(recipients.size(), emails.size());
  EXPECT_TRUE(relay_->Refusals().empty());
}

TEST_F(RelayDeliveryE2e, ARecipientAnswered451TwiceIsSentOnTheThirdAttemptWithoutHoldingUpOthers) {
  // One worker and a backoff far longer than sending the others takes: a
  // queue that waited for the busy recipient (its first attempt is the first
  // one made) would send the others after it; a queue that does not sends
  // them while the busy one waits for its retries.
  ASSERT_NO_FATAL_FAILURE(StartRelay({"busy@customers.example=451x2"}));
  ASSERT_NO_FATAL_FAILURE(StartServer(RelayConfig(
      relay_->port(), /*concurrency=*/1, absl::Milliseconds(2500), absl::Milliseconds(2500))));
  std::vector<std::string> emails = {"busy@customers.example"};
  for (const std::string& other : Addresses("patient", 40)) emails.push_back(other);
  const std::vector<std::string> ids = Create(emails);
  ASSERT_EQ(ids.size(), emails.size());
  events_ = std::make_unique<EventLog>(calls_->stub(), owner_);
  // By id, busy first: claimed first, so due first.
  ASSERT_TRUE(calls_->Report(owner_, RequestCalls::ReportOf(ids)).ok());

  const std::map<std::string, NotificationRequest> all = Settled();
  for (const std::string& id : ids) {
    EXPECT_EQ(all.at(id).status(), NotificationRequest::NOTIFICATION_SENT) << id;
    EXPECT_TRUE(all.at(id).auto_notified().value()) << id;
  }
  EXPECT_EQ(relay_->Refusals(), (std::vector<std::string>{"busy@customers.example 451 1",
                                                          "busy@customers.example 451 2"}));
  const std::vector<RelayedEmail> relayed = ReadRelayed(*relay_);
  ASSERT_EQ(relayed.size(), emails.size());
  // Each address once; busy's on its third attempt, after every other one.
  EXPECT_EQ(relayed.back().recipient, "busy@customers.example");
  EXPECT_EQ(relayed.back().attempt, 3);
  EXPECT_EQ(RequestIdOf(relayed.back().message_id), ids[0]);
  ExpectDeliveryHistory(SettledUpdates(ids[0]), NotificationRequest::NOTIFICATION_SENT,
                        /*deferred=*/2, "451", "");
  ExpectDeliveryHistory(SettledUpdates(ids[1]), NotificationRequest::NOTIFICATION_SENT, 0, "", "");
  std::set<std::string> recipients;
  for (const RelayedEmail& email : relayed) recipients.insert(email.recipient);
  EXPECT_EQ(recipients, std::set<std::string>(emails.begin(), emails.end()));
}

TEST_F(RelayDeliveryE2e, ARecipientAnswered550EndsFailedAtOnceAndNobodyElseDoes) {
  ASSERT_NO_FATAL_FAILURE(StartRelay({"gone@customers.example=550"}));
  ASSERT_NO_FATAL_FAILURE(StartServer(RelayConfig(relay_->port())));
  std::vector<std::string> emails = Addresses("fine", 30);
  emails.insert(emails.begin() + 15, "gone@customers.example");
  const std::vector<std::string> ids = Create(emails);
  ASSERT_EQ(ids.size(), emails.size());
  events_ = std::make_unique<EventLog>(calls_->stub(), owner_);
  ASSERT_NO_FATAL_FAILURE(ReportItem());

  const std::map<std::string, NotificationRequest> all = Settled();
  ExpectDeliveryHistory(SettledUpdates(ids[15]), NotificationRequest::FAILED, 0, "", "550");
  for (size_t i = 0; i < ids.size(); ++i) {
    const NotificationRequest& request = all.at(ids[i]);
    EXPECT_EQ(request.status(), emails[i] == "gone@customers.example"
                                    ? NotificationRequest::FAILED
                                    : NotificationRequest::NOTIFICATION_SENT)
        << emails[i];
    EXPECT_TRUE(request.has_auto_notified() && request.auto_notified().value()) << emails[i];
  }
  // Refused once, never tried again.
  EXPECT_EQ(relay_->Refusals(), std::vector<std::string>{"gone@customers.example 550 1"});
  const std::map<std::string, std::vector<RelayedEmail>> by = ByRecipient();
  EXPECT_EQ(by.size(), emails.size() - 1);
  EXPECT_EQ(by.count("gone@customers.example"), 0u);
  for (const auto& [recipient, copies] : by) EXPECT_EQ(copies.size(), 1u) << recipient;
}

TEST_F(RelayDeliveryE2e, EmailsWaitWhileTheRelayIsDownAndAllGoOutOnceItIsUp) {
  // The server points at a port where nothing listens yet.
  absl::StatusOr<int> port = UnusedPort();
  ASSERT_TRUE(port.ok()) << port.status();
  ASSERT_NO_FATAL_FAILURE(StartServer(RelayConfig(*port)));
  const std::vector<std::string> emails = Addresses("waiting", 50);
  const std::vector<std::string> ids = Create(emails);
  ASSERT_EQ(ids.size(), emails.size());
  events_ = std::make_unique<EventLog>(calls_->stub(), owner_);
  ASSERT_NO_FATAL_FAILURE(ReportItem());

  // Every email was tried and deferred at least twice (a PROCESSING update
  // for the claim, then one per deferred attempt), and none gave up.
  EXPECT_TRUE(Eventually([&] {
    return std::all_of(ids.begin(), ids.end(),
                       [&](const std::string& id) { return events_->ProcessingUpdates(id) >= 3; });
  })) << "not every email was attempted while the relay was down";
  EXPECT_EQ(OpenRequests(*calls_, owner_, kItem), static_cast<int>(ids.size()));

  ASSERT_NO_FATAL_FAILURE(StartRelay({}, *port));
  const std::map<std::string, NotificationRequest> all = Settled();
  for (const std::string& id : ids) {
    EXPECT_EQ(all.at(id).status(), NotificationRequest::NOTIFICATION_SENT) << id;
    EXPECT_TRUE(all.at(id).auto_notified().value()) << id;
  }
  const std::map<std::string, std::vector<RelayedEmail>> by = ByRecipient();
  EXPECT_EQ(by.size(), emails.size());
  for (size_t i = 0; i < emails.size(); ++i) {
    ASSERT_EQ(by.count(emails[i]), 1u) << emails[i];
    EXPECT_EQ(by.at(emails[i]).size(), 1u) << emails[i];
    EXPECT_EQ(RequestIdOf(by.at(emails[i])[0].message_id), ids[i]);
    // Deferred as often as it was refused a connection, then sent.
    const std::vector<EventLog::Update> updates = SettledUpdates(ids[i]);
    ASSERT_GE(updates.size(), 4u) << emails[i];
    ExpectDeliveryHistory(updates, NotificationRequest::NOTIFICATION_SENT,
                          static_cast<int>(updates.size()) - 2, "connect", "");
  }
}

TEST_F(RelayDeliveryE2e, ASlowRelayDoesNotHoldUpGrpcCalls) {
  // Every DATA is answered half a second late: with 4 workers, 24 emails
  // keep the queue busy for several seconds.
  ASSERT_NO_FATAL_FAILURE(StartRelay({"*=delay:0.5"}));
  ASSERT_NO_FATAL_FAILURE(StartServer(RelayConfig(relay_->port(), /*concurrency=*/4)));
  const std::vector<std::string> emails = Addresses("slow", 24);
  const std::vector<std::string> ids = Create(emails);
  ASSERT_EQ(ids.size(), emails.size());
  ASSERT_NO_FATAL_FAILURE(ReportItem());

  // Calls made while emails are still on their way each answer within a
  // deadline far longer than a call needs and far shorter than the delivery.
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext context;
    Authorize(context, owner_.identity);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::GetSettingsResponse response;
    const grpc::Status status =
        settings_->stub().GetSettings(&context, v1::GetSettingsRequest(), &response);
    EXPECT_TRUE(status.ok()) << "call " << i << ": " << status.error_message();
    EXPECT_EQ(response.settings().collection_states_size(), 1);
  }
  // ... and the delivery was still under way after the last of them.
  EXPECT_GT(OpenRequests(*calls_, owner_, kItem), 0);
  EXPECT_LT(relay_->Messages().size(), emails.size());

  const std::map<std::string, NotificationRequest> all = Settled();
  for (const std::string& id : ids) {
    EXPECT_EQ(all.at(id).status(), NotificationRequest::NOTIFICATION_SENT) << id;
  }
  EXPECT_EQ(relay_->Messages().size(), emails.size());
}

}  // namespace
}  // namespace backinstock::testing
