// SendTestEmail end to end: the real server binary with --smtp_url pointing at
// a real relay (aiosmtpd, tests/support/smtp_relay), the message the relay
// received parsed by Python's email package, and the relay's temporary and
// permanent refusals and a dropped connection mapped as docs/email.md says.
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/support/email_calls.h"
#include "tests/support/python_json.h"
#include "tests/support/server_process.h"
#include "tests/support/smtp_relay.h"

namespace backinstock::testing {
namespace {

constexpr char kMailFrom[] = "shop@mail.example.com";

class EmailSendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SmtpRelay::Options relay_options;
    relay_options.rules = {"busy*@example.com=451", "nobody*@example.com=550",
                           "drop*@example.com=drop"};
    auto relay = SmtpRelay::Start(relay_options);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = *std::move(relay);
    keys_file_ = TempPath("email-send-keys");
    std::ofstream(keys_file_) << TestKeysJson();
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_file_, "--audit_log=/dev/null",
                    "--smtp_url=" + relay_->url(), "--smtp_starttls=off",
                    std::string("--mail_from=") + kMailFrom};
    auto server = ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    calls_ = std::make_unique<EmailCalls>(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    calls_.reset();
    server_.reset();
    relay_.reset();
    if (!keys_file_.empty()) std::remove(keys_file_.c_str());
  }

  v1::SendTestEmailRequest Request(const std::string& to) {
    v1::SendTestEmailRequest request;
    request.set_to(to);
    *request.mutable_item_details() = Item("Blue Widget", "19.99");
    request.set_item_url("https://shop.example.com/widget");
    return request;
  }

  std::unique_ptr<SmtpRelay> relay_;
  std::string keys_file_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<EmailCalls> calls_;
  const Credentials owner_ = As("mail-shop", "user");
};

TEST_F(EmailSendTest, TheRelayGetsTheStoredTemplateRenderedWithTheMessageIdReturned) {
  v1::EmailTemplate values;
  values.set_sender_name("Acme Störe");
  values.set_reply_to("help@example.com");
  values.set_subject("{{item.name}} is back for {{customer.email}}");
  ASSERT_TRUE(calls_->Update(owner_, values, {"sender_name", "reply_to", "subject"}).ok());

  absl::StatusOr<std::string> message_id = calls_->SendTest(owner_, Request("jane@example.com"));
  ASSERT_TRUE(message_id.ok()) << message_id.status();
  EXPECT_TRUE(absl::StartsWith(*message_id, "<")) << *message_id;
  EXPECT_TRUE(absl::EndsWith(*message_id, "@mail.example.com>")) << *message_id;

  // Synchronous: the relay holds the message by the time the call answers.
  const std::vector<std::string> messages = relay_->Messages();
  ASSERT_EQ(messages.size(), 1u);
  absl::StatusOr<nlohmann::json> parsed =
      RunPythonJson("tests/server/email/check_message.py", {messages[0]});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const nlohmann::json& m = *parsed;
  EXPECT_EQ(m["message_id"], *message_id);
  EXPECT_EQ(m["subject"], "Blue Widget is back for jane@example.com");
  EXPECT_EQ(m["from_address"], kMailFrom);
  EXPECT_EQ(m["from_display_name_rfc2047"], "Acme Störe");
  EXPECT_EQ(m["to"], nlohmann::json::array({"jane@example.com"}));
  EXPECT_EQ(m["reply_to"], nlohmann::json::array({"help@example.com"}));
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  ASSERT_EQ(m["parts"].size(), 2u);
  EXPECT_EQ(m["parts"][0]["content_type"], "text/plain");
  EXPECT_EQ(m["parts"][1]["content_type"], "text/html");
  EXPECT_TRUE(absl::StrContains(m["parts"][0]["content"].get<std::string>(), "19.99"));
  EXPECT_TRUE(m["defects"].empty()) << m["defects"];

  // Each test email has a Message-ID of its own.
  absl::StatusOr<std::string> second = calls_->SendTest(owner_, Request("jane@example.com"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(*second, *message_id);
  EXPECT_EQ(relay_->Messages().size(), 2u);
}

TEST_F(EmailSendTest, ATemporaryRefusalIsUnavailable) {
  absl::StatusOr<std::string> sent = calls_->SendTest(owner_, Request("busy@example.com"));
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable) << sent.status();
  EXPECT_EQ(errors::ReasonOf(sent.status()), "SMTP_UNAVAILABLE");
  EXPECT_TRUE(relay_->Messages().empty());
}

TEST_F(EmailSendTest, APermanentRefusalIsFailedPreconditionWithTheCode) {
  absl::StatusOr<std::string> sent = calls_->SendTest(owner_, Request("nobody@example.com"));
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition) << sent.status();
  EXPECT_EQ(errors::ReasonOf(sent.status()), "SMTP_REJECTED");
  EXPECT_EQ(Metadata(sent.status(), "smtpCode"), "550");
  EXPECT_TRUE(relay_->Messages().empty());
}

TEST_F(EmailSendTest, ADroppedConnectionIsUnavailableAndTheServerGoesOn) {
  absl::StatusOr<std::string> sent = calls_->SendTest(owner_, Request("drop@example.com"));
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable) << sent.status();
  EXPECT_EQ(errors::ReasonOf(sent.status()), "SMTP_UNAVAILABLE");
  // The next one goes through (a fresh connection).
  absl::StatusOr<std::string> next = calls_->SendTest(owner_, Request("jane@example.com"));
  EXPECT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(relay_->Messages().size(), 1u);
}

TEST_F(EmailSendTest, ARelayThatIsGoneIsUnavailable) {
  relay_.reset();
  absl::StatusOr<std::string> sent = calls_->SendTest(owner_, Request("jane@example.com"));
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kUnavailable) << sent.status();
  EXPECT_EQ(errors::ReasonOf(sent.status()), "SMTP_UNAVAILABLE");
}

TEST_F(EmailSendTest, AVisitorCannotSendWithoutElevation) {
  absl::StatusOr<std::string> sent =
      calls_->SendTest(As("mail-shop", "visitor"), Request("jane@example.com"));
  EXPECT_EQ(errors::ReasonOf(sent.status()), "ELEVATION_REQUIRED");
  EXPECT_TRUE(relay_->Messages().empty()) << "a refused call sends nothing";
}

}  // namespace
}  // namespace backinstock::testing
