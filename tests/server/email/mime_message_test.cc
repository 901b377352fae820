#include "server/email/mime_message.h"

#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/python_json.h"

namespace backinstock::email {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RenderedEmail Email() {
  return {"Blue Mug is back in stock", "<p>Hello</p>\n", "Hello\n", /*sender_name=*/""};
}

MessageHeaders Headers() {
  MessageHeaders h;
  h.from_address = "shop@mail.example.com";
  h.sender_name = "Acme Store";
  h.to = "ann@example.com";
  h.reply_to = "help@example.com";
  h.message_id = MessageIdFor("req-123", h.from_address);
  h.date = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  return h;
}

// The message as Python's email package (policy.default) reads it.
nlohmann::json Parse(const std::string& message) {
  const std::string path = testing::WriteTempFile("mime", message);
  absl::StatusOr<nlohmann::json> parsed =
      testing::RunPythonJson("tests/server/email/check_message.py", {path});
  unlink(path.c_str());
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : nlohmann::json::object();
}

TEST(MessageIdFor, RequestIdAtMailDomain) {
  EXPECT_EQ(MessageIdFor("7f3c-11", "Shop@Mail.Example.com"), "<7f3c-11@mail.example.com>");
  EXPECT_EQ(MessageIdFor("a b<c>\r\n@d..e.", "x@example.com"), "<abcd.e@example.com>");
  EXPECT_EQ(MessageIdFor("", "x@example.com"), "<request@example.com>");
  EXPECT_EQ(MessageIdFor("same", "x@example.com"), MessageIdFor("same", "x@example.com"));
}

TEST(BuildMimeMessage, PythonReadsEveryHeaderAndBothParts) {
  RenderedEmail email = Email();
  email.html = "<p>Prix: 12,50 €</p>\n<p>" + std::string(3000, 'x') + "</p>\n.leading dot\n";
  email.text = "Prix: 12,50 €\nFrom the shop\n" + std::string(3000, 'y') + "\n";
  absl::StatusOr<std::string> message = BuildMimeMessage(email, Headers());
  ASSERT_TRUE(message.ok()) << message.status();
  const nlohmann::json m = Parse(*message);
  EXPECT_EQ(m["from_display_name"], "Acme Store");
  EXPECT_EQ(m["from_address"], "shop@mail.example.com");
  EXPECT_EQ(m["to"], nlohmann::json::array({"ann@example.com"}));
  EXPECT_EQ(m["reply_to"], nlohmann::json::array({"help@example.com"}));
  EXPECT_EQ(m["subject"], "Blue Mug is back in stock");
  EXPECT_EQ(m["message_id"], "<req-123@mail.example.com>");
  EXPECT_EQ(m["mime_version"], "1.0");
  EXPECT_TRUE(m["date_parses"]);
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  EXPECT_EQ(m["defects"], nlohmann::json::array());
  EXPECT_TRUE(m["all_crlf"]);
  EXPECT_LE(m["longest_line"].get<int>(), 78);
  EXPECT_TRUE(m["ascii_only"]);
  ASSERT_EQ(m["parts"].size(), 2u);
  EXPECT_EQ(m["parts"][0]["content_type"], "text/plain");
  EXPECT_EQ(m["parts"][1]["content_type"], "text/html");
  for (const auto& part : m["parts"]) {
    EXPECT_EQ(part["charset"], "utf-8");
    EXPECT_EQ(part["defects"], nlohmann::json::array());
  }
  // Line breaks come back as the part's own (CRLF on the wire, LF decoded).
  EXPECT_EQ(m["parts"][0]["content"].get<std::string>(),
            absl::StrReplaceAll(email.text, {{"\n", "\r\n"}}));
  EXPECT_EQ(m["parts"][1]["content"].get<std::string>(),
            absl::StrReplaceAll(email.html, {{"\n", "\r\n"}}));
  // The boundary cannot occur in the quoted-printable parts.
  const std::string boundary = m["boundary"];
  EXPECT_EQ(absl::StrSplit(*message, boundary).begin()->size(), message->find(boundary));
  size_t occurrences = 0;
  for (size_t at = message->find(boundary); at != std::string::npos;
       at = message->find(boundary, at + 1)) {
    ++occurrences;
  }
  EXPECT_EQ(occurrences, 4u);  // the header's parameter, two part starts, the end
}

TEST(BuildMimeMessage, BoundariesDiffer) {
  const std::string a = *BuildMimeMessage(Email(), Headers());
  const std::string b = *BuildMimeMessage(Email(), Headers());
  EXPECT_NE(Parse(a)["boundary"], Parse(b)["boundary"]);
}

TEST(BuildMimeMessage, NonAsciiNamesAndSubjectsAreEncodedWordsFolded) {
  RenderedEmail email = Email();
  email.subject =
      std::string("Ünïcødé ") + std::string(60, 'a') + " 😀 — " + std::string(150, 'b') + " end";
  MessageHeaders h = Headers();
  h.sender_name = "Café \"Zürich\" 東京 " + std::string(80, 'z');
  const std::string message = *BuildMimeMessage(email, h);
  EXPECT_THAT(message, HasSubstr("=?UTF-8?B?"));
  const nlohmann::json m = Parse(message);
  EXPECT_EQ(m["subject"], email.subject);
  EXPECT_EQ(m["from_display_name_rfc2047"], h.sender_name);
  // policy.default keeps the whitespace between encoded words (see
  // check_message.py): the same text up to spaces.
  EXPECT_EQ(absl::StrReplaceAll(m["from_display_name"].get<std::string>(), {{" ", ""}}),
            absl::StrReplaceAll(h.sender_name, {{" ", ""}}));
  EXPECT_EQ(m["from_address"], "shop@mail.example.com");
  EXPECT_LE(m["longest_line"].get<int>(), 78);
  EXPECT_TRUE(m["ascii_only"]);
  EXPECT_EQ(m["defects"], nlohmann::json::array());
}

TEST(BuildMimeMessage, AsciiSpecialsInTheNameAreQuoted) {
  MessageHeaders h = Headers();
  h.sender_name = "Acme, Inc. \"Best\" <shop> \\ (tools); =?x?=";
  const nlohmann::json m = Parse(*BuildMimeMessage(Email(), h));
  EXPECT_EQ(m["from_display_name"], h.sender_name);
  EXPECT_EQ(m["from_display_name_rfc2047"], h.sender_name);
  EXPECT_EQ(m["from_address"], "shop@mail.example.com");
  EXPECT_EQ(m["to"], nlohmann::json::array({"ann@example.com"}));
}

TEST(BuildMimeMessage, LongWordsAreEncodedToFold) {
  RenderedEmail email = Email();
  email.subject = "Sale " + std::string(300, 's');
  MessageHeaders h = Headers();
  h.sender_name = "Shop " + std::string(300, 'n');
  const nlohmann::json m = Parse(*BuildMimeMessage(email, h));
  EXPECT_EQ(m["subject"], email.subject);
  EXPECT_EQ(m["from_display_name_rfc2047"], h.sender_name);
  EXPECT_LE(m["longest_line"].get<int>(), 78);
}

TEST(BuildMimeMessage, NoReplyToWhenEmpty) {
  MessageHeaders h = Headers();
  h.reply_to.clear();
  const std::string message = *BuildMimeMessage(Email(), h);
  EXPECT_THAT(message, Not(HasSubstr("Reply-To")));
}

TEST(BuildMimeMessage, LineBreaksInHeaderInputsAreRefused) {
  const std::string injection = "\r\nBcc: evil@example.com";
  struct Case {
    std::string field;
    std::function<void(RenderedEmail&, MessageHeaders&)> poison;
  };
  const Case cases[] = {
      {"sender_name", [&](RenderedEmail&, MessageHeaders& h) { h.sender_name += injection; }},
      {"subject", [&](RenderedEmail& e, MessageHeaders&) { e.subject += injection; }},
      {"subject", [&](RenderedEmail& e, MessageHeaders&) { e.subject += "\nX: y"; }},
      {"to", [&](RenderedEmail&, MessageHeaders& h) { h.to += injection; }},
      {"reply_to", [&](RenderedEmail&, MessageHeaders& h) { h.reply_to += injection; }},
      {"from_address", [&](RenderedEmail&, MessageHeaders& h) { h.from_address += "\r"; }},
      {"message_id", [&](RenderedEmail&, MessageHeaders& h) { h.message_id += injection; }},
      {"to", [&](RenderedEmail&, MessageHeaders& h) { h.to = "Ann <ann@example.com>"; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    RenderedEmail email = Email();
    MessageHeaders h = Headers();
    c.poison(email, h);
    const absl::StatusOr<std::string> message = BuildMimeMessage(email, h);
    EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument);
    auto bad_request = errors::BadRequestOf(message.status());
    ASSERT_TRUE(bad_request.has_value());
    EXPECT_EQ(bad_request->field_violations(0).field(), c.field);
  }
}

TEST(BuildMimeMessage, BodiesCannotAddHeaders) {
  RenderedEmail email = Email();
  email.text = "line\r\n\r\nBcc: evil@example.com\r\n--fake\r\nContent-Type: text/evil\r\n\r\n";
  email.html = "\r\n\r\nX-Injected: yes\n";
  const nlohmann::json m = Parse(*BuildMimeMessage(email, Headers()));
  const std::vector<std::string> expected = {"From", "To",         "Reply-To",     "Subject",
                                             "Date", "Message-ID", "MIME-Version", "Content-Type"};
  EXPECT_EQ(m["header_names"].get<std::vector<std::string>>(), expected);
  EXPECT_EQ(m["parts"].size(), 2u);
}

}  // namespace
}  // namespace backinstock::email
