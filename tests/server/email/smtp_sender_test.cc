// Sends through MakeSmtpSender to a real relay (aiosmtpd) and reads what it
// received with Python's email package.
#include "server/email/smtp_sender.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "backinstock/errors/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/email/email_template.h"
#include "server/email/mime_message.h"
#include "server/email/renderer.h"
#include "tests/support/child_process.h"
#include "tests/support/python_json.h"
#include "tests/support/smtp_relay.h"

namespace backinstock::email {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::SmtpRelay;

constexpr char kFrom[] = "shop@mail.example.com";

SmtpConfig ConfigFor(const SmtpRelay& relay) {
  SmtpConfig config;
  config.url = relay.url();
  config.starttls = "opportunistic";
  config.mail_from = kFrom;
  config.timeout = absl::Seconds(30);
  return config;
}

std::unique_ptr<SmtpRelay> StartRelay(SmtpRelay::Options options = {}) {
  absl::StatusOr<std::unique_ptr<SmtpRelay>> relay = SmtpRelay::Start(std::move(options));
  EXPECT_TRUE(relay.ok()) << relay.status();
  return relay.ok() ? *std::move(relay) : nullptr;
}

std::string Message(const std::string& to, const std::string& request_id = "req-1") {
  RenderInput input;
  input.email_template = DefaultEmailTemplate();
  input.item.set_name("Blue Mug");
  input.item.set_price("12.50");
  input.item_url = "https://shop.example.com/mug";
  input.customer_email = to;
  MessageHeaders h;
  h.from_address = kFrom;
  h.sender_name = "Acme";
  h.to = to;
  h.message_id = MessageIdFor(request_id, kFrom);
  h.date = absl::Now();
  return *BuildMimeMessage(*RenderEmail(input), h);
}

nlohmann::json Check(const std::string& path) {
  absl::StatusOr<nlohmann::json> parsed =
      testing::RunPythonJson("tests/server/email/check_message.py", {path});
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : nlohmann::json::object();
}

TEST(SmtpSender, TheRelayReceivesTheMessageIntact) {
  auto relay = StartRelay();
  ASSERT_NE(relay, nullptr);
  auto sender = MakeSmtpSender(ConfigFor(*relay));
  ASSERT_TRUE(sender.ok()) << sender.status();
  const std::string message = Message("ann@example.com");
  ASSERT_TRUE((*sender)->Send(kFrom, "ann@example.com", message).ok());
  // A second message over the same sender (and, normally, connection).
  ASSERT_TRUE((*sender)->Send(kFrom, "bob@example.com", Message("bob@example.com", "req-2")).ok());
  const std::vector<std::string> received = relay->Messages();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(testing::ReadWholeFile(received[0]), message);
  const nlohmann::json m = Check(received[0]);
  EXPECT_EQ(m["subject"], "Blue Mug is back in stock");
  EXPECT_EQ(m["message_id"], "<req-1@mail.example.com>");
  ASSERT_EQ(m["parts"].size(), 2u);
  EXPECT_THAT(m["parts"][1]["content"].get<std::string>(), HasSubstr("Blue Mug"));
  const nlohmann::json envelope = nlohmann::json::parse(
      testing::ReadWholeFile(absl::StrReplaceAll(received[0], {{".eml", ".json"}})));
  EXPECT_EQ(envelope["mail_from"], kFrom);
  EXPECT_EQ(envelope["rcpt_tos"], nlohmann::json::array({"ann@example.com"}));
  EXPECT_EQ(Check(received[1])["to"], nlohmann::json::array({"bob@example.com"}));
}

TEST(SmtpSender, AuthWithUsernameAndPassword) {
  SmtpRelay::Options options;
  options.auth = "mailer:s3cret";
  auto relay = StartRelay(options);
  ASSERT_NE(relay, nullptr);
  SmtpConfig config = ConfigFor(*relay);
  auto anonymous = MakeSmtpSender(config);
  ASSERT_TRUE(anonymous.ok());
  const absl::Status refused =
      (*anonymous)->Send(kFrom, "ann@example.com", Message("ann@example.com"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  config.username = "mailer";
  config.password = "s3cret";
  auto sender = MakeSmtpSender(config);
  ASSERT_TRUE(sender.ok());
  EXPECT_TRUE((*sender)->Send(kFrom, "ann@example.com", Message("ann@example.com")).ok());
  EXPECT_EQ(relay->Messages().size(), 1u);
}

TEST(SmtpSender, RelayAnswersMapToStatuses) {
  SmtpRelay::Options options;
  options.rules = {"busy*=451", "gone*=550", "drop*=drop"};
  auto relay = StartRelay(options);
  ASSERT_NE(relay, nullptr);
  auto sender = MakeSmtpSender(ConfigFor(*relay));
  ASSERT_TRUE(sender.ok());

  const absl::Status busy = (*sender)->Send(kFrom, "busy@example.com", Message("busy@example.com"));
  EXPECT_EQ(busy.code(), absl::StatusCode::kUnavailable) << busy;
  EXPECT_EQ(errors::ReasonOf(busy), "SMTP_UNAVAILABLE");

  const absl::Status gone = (*sender)->Send(kFrom, "gone@example.com", Message("gone@example.com"));
  EXPECT_EQ(gone.code(), absl::StatusCode::kFailedPrecondition) << gone;
  EXPECT_EQ(errors::ReasonOf(gone), "SMTP_REJECTED");
  EXPECT_EQ(errors::ErrorInfoOf(gone)->metadata().at("smtpCode"), "550");

  const absl::Status dropped =
      (*sender)->Send(kFrom, "drop@example.com", Message("drop@example.com"));
  EXPECT_EQ(dropped.code(), absl::StatusCode::kUnavailable) << dropped;
  EXPECT_EQ(errors::ReasonOf(dropped), "SMTP_UNAVAILABLE");

  // The sender recovers from all three for the next message.
  EXPECT_TRUE((*sender)->Send(kFrom, "ann@example.com", Message("ann@example.com")).ok());
  EXPECT_EQ(relay->Messages().size(), 1u);
}

TEST(SmtpSender, NoRelayListeningIsUnavailable) {
  SmtpConfig config;
  {
    auto relay = StartRelay();
    ASSERT_NE(relay, nullptr);
    config = ConfigFor(*relay);
  }  // stopped: its port refuses connections now
  auto sender = MakeSmtpSender(config);
  ASSERT_TRUE(sender.ok());
  const absl::Status status = (*sender)->Send(kFrom, "ann@example.com", Message("ann@example.com"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(errors::ReasonOf(status), "SMTP_UNAVAILABLE");
}

TEST(SmtpSender, StartTlsRequiredWithoutTlsIsUnavailable) {
  auto relay = StartRelay();
  ASSERT_NE(relay, nullptr);
  SmtpConfig config = ConfigFor(*relay);
  config.starttls = "required";
  auto sender = MakeSmtpSender(config);
  ASSERT_TRUE(sender.ok());
  const absl::Status status = (*sender)->Send(kFrom, "ann@example.com", Message("ann@example.com"));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_TRUE(relay->Messages().empty());
}

TEST(SmtpSender, EnvelopeAddressesCannotInjectCommands) {
  auto relay = StartRelay();
  ASSERT_NE(relay, nullptr);
  auto sender = MakeSmtpSender(ConfigFor(*relay));
  ASSERT_TRUE(sender.ok());
  for (const std::string& bad :
       std::vector<std::string>{"ann@example.com\r\nRCPT TO:<evil@example.com>", "ann@example.com>",
                                "<ann@example.com>", ""}) {
    EXPECT_EQ((*sender)->Send(kFrom, bad, Message("ann@example.com")).code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ((*sender)->Send(bad, "ann@example.com", Message("ann@example.com")).code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(relay->Messages().empty());
}

// Every text field and item detail hostile at once, through the relay: the
// template refuses line breaks in one-line fields; what it accepts and what
// the item carries arrives escaped in the HTML, literal in the text, and no
// value adds a header line.
TEST(SmtpSender, HostileValuesArriveEscapedWithNoInjectedHeader) {
  auto relay = StartRelay();
  ASSERT_NE(relay, nullptr);
  auto sender = MakeSmtpSender(ConfigFor(*relay));
  ASSERT_TRUE(sender.ok());
  const std::string script = "<script>alert('x')</script>";
  const std::string injection = "\r\nBcc: evil@example.com\r\nX-Injected: yes";

  RenderInput input;
  v1::EmailTemplate& t = input.email_template;
  t = DefaultEmailTemplate();
  using Setter = void (v1::EmailTemplate::*)(const std::string&);
  for (Setter set :
       std::vector<Setter>{&v1::EmailTemplate::set_sender_name, &v1::EmailTemplate::set_subject,
                           &v1::EmailTemplate::set_heading, &v1::EmailTemplate::set_button_text}) {
    v1::EmailTemplate poisoned = t;
    (poisoned.*set)("Hi" + injection);
    RenderInput refused = input;
    refused.email_template = poisoned;
    EXPECT_EQ(RenderEmail(refused).status().code(), absl::StatusCode::kInvalidArgument);
  }
  t.set_sender_name("\"Acme\" " + script);
  t.set_subject("{{item.name}} " + script + " \"now\"");
  t.set_heading(script + "{{item.name}}");
  t.set_body(script + "\n\n{{item.name}} {{item.price}} {{params.p}}" + injection);
  t.set_button_text(script);
  t.set_footer(script + injection);
  input.item.set_name("Mug " + script + injection);
  input.item.set_price("1<b>" + injection);
  input.item.mutable_image()->set_url("javascript:alert(1)");
  input.item.mutable_image()->set_alt_text("\" onerror=\"alert(1)" + injection);
  input.item_url = "javascript:alert(document.cookie)";
  input.customer_email = "ann@example.com";
  input.params["p"] = script + injection;
  absl::StatusOr<RenderedEmail> email = RenderEmail(input);
  ASSERT_TRUE(email.ok()) << email.status();
  MessageHeaders h;
  h.from_address = kFrom;
  h.sender_name = email->sender_name;
  h.to = "ann@example.com";
  h.message_id = MessageIdFor("req-hostile", kFrom);
  h.date = absl::Now();
  absl::StatusOr<std::string> message = BuildMimeMessage(*email, h);
  ASSERT_TRUE(message.ok()) << message.status();
  ASSERT_TRUE((*sender)->Send(kFrom, "ann@example.com", *message).ok());

  ASSERT_EQ(relay->Messages().size(), 1u);
  const nlohmann::json m = Check(relay->Messages()[0]);
  EXPECT_EQ(m["header_names"].get<std::vector<std::string>>(),
            (std::vector<std::string>{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                                      "Content-Type"}));
  EXPECT_EQ(m["defects"], nlohmann::json::array());
  EXPECT_EQ(m["from_display_name"], t.sender_name());
  EXPECT_EQ(m["to"], nlohmann::json::array({"ann@example.com"}));
  EXPECT_EQ(m["subject"],
            "Mug " + script + "  Bcc: evil@example.com  X-Injected: yes " + script + " \"now\"");
  ASSERT_EQ(m["parts"].size(), 2u);
  const std::string text = m["parts"][0]["content"];
  const std::string html = m["parts"][1]["content"];
  EXPECT_THAT(text, HasSubstr(script));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("javascript")));
  EXPECT_THAT(html, Not(HasSubstr("\" onerror")));
  EXPECT_THAT(html, Not(HasSubstr("<b>")));
  EXPECT_THAT(text, Not(HasSubstr("javascript")));  // no link to a non-http URL
}

TEST(ValidateSmtpConfig, TheFlagsRules) {
  SmtpConfig config;
  EXPECT_TRUE(ValidateSmtpConfig(config).ok());  // no relay
  config.url = "smtp://127.0.0.1:2525";
  EXPECT_THAT(ValidateSmtpConfig(config).message(), HasSubstr("--mail_from"));
  config.mail_from = "not an address";
  EXPECT_FALSE(ValidateSmtpConfig(config).ok());
  config.mail_from = kFrom;
  EXPECT_TRUE(ValidateSmtpConfig(config).ok());
  config.url = "smtps://relay.example.com:465";
  EXPECT_TRUE(ValidateSmtpConfig(config).ok());
  for (const std::string& bad : std::vector<std::string>{"http://relay:25", "relay:25", "smtp://",
                                                         "smtp:///x", "smtp://relay :25"}) {
    config.url = bad;
    EXPECT_THAT(ValidateSmtpConfig(config).message(), HasSubstr("--smtp_url")) << bad;
  }
  config.url = "smtp://relay:25";
  config.starttls = "maybe";
  EXPECT_THAT(ValidateSmtpConfig(config).message(), HasSubstr("--smtp_starttls"));
  config.starttls = "required";
  config.password = "x";
  EXPECT_THAT(ValidateSmtpConfig(config).message(), HasSubstr("--smtp_username"));
  EXPECT_FALSE(MakeSmtpSender(config).ok());
}

}  // namespace
}  // namespace backinstock::email
