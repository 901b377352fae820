// BackInStockEmailService over a real channel to an in-process server: update
// semantics (field mask, revision conflicts, every limit and refused
// placeholder reaching the client with its field and reason), permissions and
// elevation, site isolation, previews, test sends without a relay, and a
// restart with --data_dir.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/auth/permissions.h"
#include "server/email/email_template.h"
#include "tests/support/email_calls.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

const std::string kEmailManage(auth::kEmailManage);
const std::string kLimitReason = email::kReasonTooLong;
const std::string kLineBreakReason = email::kReasonLineBreak;
const std::string kReplyToReason = email::kReasonInvalidEmail;
const std::string kColorReason = email::kReasonInvalidColor;
const std::string kLogoReason = email::kReasonInvalidUrl;

std::string Repeat(absl::string_view text, int times) {
  std::string repeated;
  for (int i = 0; i < times; ++i) absl::StrAppend(&repeated, text);
  return repeated;
}

class EmailE2eTest : public ::testing::Test {
 protected:
  TestServer server_;
  EmailCalls calls_{server_.channel()};
  const Credentials owner_ = As("shop", "user");
};

TEST_F(EmailE2eTest, ASiteThatNeverChangedItsTemplateGetsTheDefault) {
  absl::StatusOr<v1::EmailTemplate> got = calls_.Get(owner_);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->revision(), 0);
  EXPECT_EQ(got->subject(), "{{item.name}} is back in stock");
  EXPECT_EQ(got->button_text(), "Shop now");
  EXPECT_FALSE(got->heading().empty());
  EXPECT_FALSE(got->body().empty());
}

TEST_F(EmailE2eTest, AnUpdateChangesTheMaskedFieldsOnlyAndMovesTheRevision) {
  v1::EmailTemplate values;
  values.set_sender_name("Acme Store");
  values.set_subject("Back: {{item.name}}");
  values.set_footer("not in the mask");
  absl::StatusOr<v1::EmailTemplate> updated =
      calls_.Update(owner_, values, {"senderName", "subject"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->revision(), 1);
  EXPECT_EQ(updated->sender_name(), "Acme Store");
  EXPECT_EQ(updated->subject(), "Back: {{item.name}}");
  EXPECT_EQ(updated->footer(), email::DefaultEmailTemplate().footer());
  absl::StatusOr<v1::EmailTemplate> read = calls_.Get(owner_);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*read, *updated));

  // The same values again: nothing changes, not even the revision.
  absl::StatusOr<v1::EmailTemplate> again =
      calls_.Update(owner_, values, {"sender_name", "subject"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->revision(), 1);

  // Clearing an optional field is a change.
  v1::EmailTemplate cleared;
  absl::StatusOr<v1::EmailTemplate> emptied = calls_.Update(owner_, cleared, {"sender_name"});
  ASSERT_TRUE(emptied.ok()) << emptied.status();
  EXPECT_EQ(emptied->revision(), 2);
  EXPECT_EQ(emptied->sender_name(), "");
}

TEST_F(EmailE2eTest, MasksThatNameNoUpdatableFieldAreRefusedOnUpdateMask) {
  v1::EmailTemplate values;
  values.set_subject("x");
  values.set_revision(41);
  for (const std::vector<std::string>& paths :
       std::vector<std::vector<std::string>>{{},
                                             {"revision"},
                                             {"subject", "revision"},
                                             {"subjects"},
                                             {"template.subject"},
                                             {"SUBJECT"}}) {
    absl::StatusOr<v1::EmailTemplate> updated = calls_.Update(owner_, values, paths);
    const std::string label = paths.empty() ? "(empty mask)" : paths.back();
    EXPECT_EQ(updated.status().code(), absl::StatusCode::kInvalidArgument) << label;
    EXPECT_EQ(ViolationField(updated.status()), "update_mask") << label;
  }
  EXPECT_EQ(calls_.Get(owner_)->revision(), 0);
}

TEST_F(EmailE2eTest, AStaleExpectedRevisionIsAbortedWithRevisionMismatch) {
  v1::EmailTemplate values;
  values.set_heading("First heading");
  ASSERT_TRUE(calls_.Update(owner_, values, {"heading"}).ok());

  // Two editors read revision 1; the first to save wins, the second is told.
  values.set_heading("Editor one");
  absl::StatusOr<v1::EmailTemplate> first = calls_.Update(owner_, values, {"heading"}, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->revision(), 2);
  values.set_heading("Editor two");
  absl::StatusOr<v1::EmailTemplate> second = calls_.Update(owner_, values, {"heading"}, 1);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(errors::ReasonOf(second.status()), "REVISION_MISMATCH");
  EXPECT_EQ(Metadata(second.status(), "revision"), "2");
  EXPECT_EQ(calls_.Get(owner_)->heading(), "Editor one");

  // A revision from the future is a mismatch too.
  absl::StatusOr<v1::EmailTemplate> future = calls_.Update(owner_, values, {"heading"}, 99);
  EXPECT_EQ(errors::ReasonOf(future.status()), "REVISION_MISMATCH");
}

struct Refusal {
  std::string field;  // proto name
  std::string value;
  std::string reason;  // ErrorInfo reason
};

// Each limit of email.proto, one value past it (and the value at it accepted).
TEST_F(EmailE2eTest, EveryLimitReachesTheClientWithItsFieldAndReason) {
  const std::vector<Refusal> refusals = {
      {"sender_name", std::string(101, 'n'), kLimitReason},
      {"subject", std::string(201, 's'), kLimitReason},
      {"heading", std::string(201, 'h'), kLimitReason},
      {"button_text", std::string(51, 'b'), kLimitReason},
      {"body", std::string(5001, 'x'), kLimitReason},
      {"footer", std::string(1001, 'f'), kLimitReason},
      {"sender_name", "Acme\r\nBcc: victim@example.com", kLineBreakReason},
      {"subject", "Back\nin stock", kLineBreakReason},
      {"heading", "Good\rnews", kLineBreakReason},
      {"button_text", "Shop\nnow", kLineBreakReason},
      {"reply_to", "not an address", kReplyToReason},
      {"reply_to", "a@example.com\r\nBcc: victim@example.com", kReplyToReason},
      {"brand_color", "red", kColorReason},
      {"brand_color", "#12345", kColorReason},
      {"brand_color", "#12345g", kColorReason},
      {"logo_url", "http://cdn.example.com/logo.png", kLogoReason},
      {"logo_url", "javascript:alert(1)", kLogoReason},
  };
  for (const Refusal& refusal : refusals) {
    absl::StatusOr<v1::EmailTemplate> updated = calls_.Set(owner_, refusal.field, refusal.value);
    const std::string label = absl::StrCat(refusal.field, " = ", errors::Quoted(refusal.value));
    EXPECT_EQ(updated.status().code(), absl::StatusCode::kInvalidArgument) << label;
    EXPECT_EQ(ViolationField(updated.status()), "template." + refusal.field) << label;
    EXPECT_EQ(errors::ReasonOf(updated.status()), refusal.reason) << label;
  }
  EXPECT_EQ(calls_.Get(owner_)->revision(), 0) << "no refused update was stored";

  // At the limits, counted in characters (not bytes): accepted.
  const std::vector<std::pair<std::string, std::string>> at_limit = {
      {"sender_name", Repeat("é", 100)},
      {"subject", Repeat("ü", 200)},
      {"heading", Repeat("h", 200)},
      {"button_text", Repeat("→", 50)},
      {"body", Repeat("b", 5000)},
      {"footer", Repeat("f", 1000)},
      {"reply_to", "help@example.com"},
      {"brand_color", "#A1b2C3"},
      {"logo_url", "https://cdn.example.com/logo.png"},
      {"body", "Line one\r\nLine two\n\nA new paragraph"}};
  for (const auto& [field, value] : at_limit) {
    absl::StatusOr<v1::EmailTemplate> updated = calls_.Set(owner_, field, value);
    EXPECT_TRUE(updated.ok()) << field << ": " << updated.status();
  }
}

TEST_F(EmailE2eTest, EveryRefusedPlaceholderFormIsNamedWithItsField) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"subject", "{{item.nope}}"},
      {"heading", "{{customer.name}}"},
      {"body", "Hi {{#item.name}}loop{{/item.name}}"},
      {"body", "{{^item.name}}none{{/item.name}}"},
      {"footer", "{{> footer}}"},
      {"button_text", "{{{item.url}}}"},
      {"body", "{{&item.name}}"},
      {"subject", "Unbalanced {{item.name"},
      {"sender_name", "{{params}}"},
      {"body", "{{=<% %>=}}"},
  };
  for (const auto& [field, value] : refused) {
    absl::StatusOr<v1::EmailTemplate> updated = calls_.Set(owner_, field, value);
    const std::string label = absl::StrCat(field, " = ", value);
    EXPECT_EQ(updated.status().code(), absl::StatusCode::kInvalidArgument) << label;
    EXPECT_EQ(errors::ReasonOf(updated.status()), "INVALID_TEMPLATE") << label;
    EXPECT_EQ(ViolationField(updated.status()), "template." + field) << label;
    EXPECT_EQ(Metadata(updated.status(), "field"), "template." + field) << label;
    EXPECT_FALSE(Metadata(updated.status(), "placeholder").empty()) << label;
  }
  // Every known placeholder is accepted.
  absl::StatusOr<v1::EmailTemplate> known =
      calls_.Set(owner_, "body",
                 "{{item.name}} {{item.price}} {{item.url}} {{item.image.url}} {{customer.email}} "
                 "{{params.coupon}} {{ item.name }}");
  EXPECT_TRUE(known.ok()) << known.status();
}

TEST_F(EmailE2eTest, EveryMethodNeedsEmailManage) {
  v1::RenderEmailPreviewRequest preview;
  *preview.mutable_item_details() = Item();
  v1::SendTestEmailRequest send;
  send.set_to("me@example.com");
  *send.mutable_item_details() = Item();
  v1::EmailTemplate values;
  values.set_subject("Changed by a visitor?");

  auto all_methods = [&](const Credentials& who) {
    return std::vector<absl::Status>{
        calls_.Get(who).status(), calls_.Update(who, values, {"subject"}).status(),
        calls_.Preview(who, preview).status(), calls_.SendTest(who, send).status()};
  };
  for (const char* role : {"visitor", "member"}) {
    for (const absl::Status& status : all_methods(As("shop", role))) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << role << ": " << status;
      EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_REQUIRED") << role;
      EXPECT_EQ(Metadata(status, "permission"), kEmailManage) << role;
    }
  }
  for (const absl::Status& status :
       all_methods(Elevated("shop", "visitor", "shop", {std::string(auth::kSettingsModify)}))) {
    EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_INSUFFICIENT") << status;
  }
  for (const absl::Status& status :
       all_methods(Elevated("shop", "member", "other-shop", {kEmailManage}))) {
    EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_SITE_MISMATCH") << status;
  }
  for (const absl::Status& status : all_methods(Credentials{"", std::nullopt})) {
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  }
  EXPECT_EQ(calls_.Get(owner_)->revision(), 0) << "a refused update has no effect";

  // Elevated for this site with EMAIL_MANAGE, a visitor may; so may an app.
  const Credentials elevated = Elevated("shop", "visitor", "shop", {kEmailManage});
  absl::StatusOr<v1::EmailTemplate> updated = calls_.Update(elevated, values, {"subject"});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->revision(), 1);
  EXPECT_TRUE(calls_.Preview(elevated, preview).ok());
  EXPECT_EQ(calls_.Get(As("shop", "app"))->subject(), "Changed by a visitor?");
}

TEST_F(EmailE2eTest, EachSiteHasItsOwnTemplate) {
  v1::EmailTemplate values;
  values.set_subject("Site A: {{item.name}}");
  ASSERT_TRUE(calls_.Update(As("site-a", "user"), values, {"subject"}).ok());
  absl::StatusOr<v1::EmailTemplate> b = calls_.Get(As("site-b", "user"));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->revision(), 0);
  EXPECT_EQ(b->subject(), email::DefaultEmailTemplate().subject());
  // B's update with A's revision is judged against B's own.
  values.set_subject("Site B");
  EXPECT_EQ(errors::ReasonOf(calls_.Update(As("site-b", "user"), values, {"subject"}, 1).status()),
            "REVISION_MISMATCH");
  EXPECT_EQ(calls_.Get(As("site-a", "user"))->subject(), "Site A: {{item.name}}");

  // A's preview renders A's template; B's renders the default.
  v1::RenderEmailPreviewRequest preview;
  *preview.mutable_item_details() = Item("Lamp");
  EXPECT_EQ(calls_.Preview(As("site-a", "user"), preview)->subject(), "Site A: Lamp");
  EXPECT_EQ(calls_.Preview(As("site-b", "user"), preview)->subject(), "Lamp is back in stock");
}

TEST_F(EmailE2eTest, ThePreviewRendersTheStoredTemplateWithTheItem) {
  v1::RenderEmailPreviewRequest request;
  *request.mutable_item_details() = Item("Blue <Widget> & \"Co\"", "19.99");
  request.set_item_url("https://shop.example.com/items/1?a=1&b=2");
  absl::StatusOr<v1::RenderEmailPreviewResponse> preview = calls_.Preview(owner_, request);
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->subject(), "Blue <Widget> & \"Co\" is back in stock");
  EXPECT_TRUE(absl::StrContains(preview->html(), "Blue &lt;Widget&gt; &amp;")) << preview->html();
  EXPECT_FALSE(absl::StrContains(preview->html(), "<Widget>"));
  EXPECT_TRUE(absl::StrContains(preview->html(), "19.99"));
  // The renderer may write '/' as "&#x2F;" (mstch does); a browser reads both alike.
  const std::string html = absl::StrReplaceAll(preview->html(), {{"&#x2F;", "/"}});
  EXPECT_TRUE(absl::StrContains(html, "href=\"https://shop.example.com/items/1?a=1&amp;b=2\""))
      << preview->html();
  EXPECT_TRUE(absl::StrContains(preview->html(), "Shop now"));
  EXPECT_TRUE(absl::StrContains(preview->text(), "Blue <Widget> & \"Co\""));
  EXPECT_TRUE(absl::StrContains(preview->text(), "19.99"));
  EXPECT_TRUE(absl::StrContains(preview->text(), "https://shop.example.com/items/1?a=1&b=2"));
}

TEST_F(EmailE2eTest, APreviewOfAGivenTemplateUsesItAndStoresNothing) {
  v1::RenderEmailPreviewRequest request;
  *request.mutable_item_details() = Item("Lamp", "5");
  request.mutable_template_()->set_subject("Draft for {{item.name}} {{params.coupon}}");
  request.mutable_template_()->set_heading("Draft heading");
  request.mutable_template_()->set_body("Use {{params.coupon}}{{params.missing}}.");
  request.mutable_template_()->set_button_text("Go");
  request.mutable_template_()->set_brand_color("#ff0000");
  request.mutable_template_()->set_revision(12);  // ignored
  (*request.mutable_extra_automation_template_parameters())["coupon"] = "SAVE10";
  absl::StatusOr<v1::RenderEmailPreviewResponse> preview = calls_.Preview(owner_, request);
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_EQ(preview->subject(), "Draft for Lamp SAVE10");
  EXPECT_TRUE(absl::StrContains(preview->html(), "Draft heading"));
  EXPECT_TRUE(absl::StrContains(preview->text(), "Use SAVE10."));
  EXPECT_TRUE(absl::StrContains(absl::AsciiStrToLower(preview->html()), "#ff0000"));
  EXPECT_EQ(calls_.Get(owner_)->revision(), 0);

  // The draft is validated like an update, with the same field names.
  request.mutable_template_()->set_subject("{{{item.name}}}");
  absl::StatusOr<v1::RenderEmailPreviewResponse> refused = calls_.Preview(owner_, request);
  EXPECT_EQ(errors::ReasonOf(refused.status()), "INVALID_TEMPLATE");
  EXPECT_EQ(ViolationField(refused.status()), "template.subject");
}

TEST_F(EmailE2eTest, ThePreviewItemIsCheckedAsAReportsIs) {
  struct Case {
    std::function<void(v1::RenderEmailPreviewRequest&)> change;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_item_details(); }, "item_details"},
      {[](auto& r) { r.mutable_item_details()->clear_name(); }, "item_details.name"},
      {[](auto& r) { r.mutable_item_details()->clear_price(); }, "item_details.price"},
      {[](auto& r) { r.mutable_item_details()->set_price("-1"); }, "item_details.price"},
      {[](auto& r) { r.mutable_item_details()->mutable_image()->set_url("javascript:x"); },
       "item_details.image.url"},
      {[](auto& r) { r.set_item_url("javascript:alert(1)"); }, "item_url"},
      {[](auto& r) { r.set_item_url("ftp://example.com/x"); }, "item_url"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::RenderEmailPreviewRequest request;
    *request.mutable_item_details() = Item();
    cases[i].change(request);
    absl::StatusOr<v1::RenderEmailPreviewResponse> preview = calls_.Preview(owner_, request);
    EXPECT_EQ(preview.status().code(), absl::StatusCode::kInvalidArgument) << i;
    EXPECT_EQ(ViolationField(preview.status()), cases[i].field) << i;
  }
}

TEST_F(EmailE2eTest, WithoutARelayATestEmailIsSmtpNotConfigured) {
  v1::SendTestEmailRequest request;
  request.set_to("me@example.com");
  *request.mutable_item_details() = Item();
  absl::StatusOr<std::string> sent = calls_.SendTest(owner_, request);
  EXPECT_EQ(sent.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::ReasonOf(sent.status()), "SMTP_NOT_CONFIGURED");

  // Bad input is named first.
  request.set_to("not an address");
  EXPECT_EQ(ViolationField(calls_.SendTest(owner_, request).status()), "to");
  request.clear_to();
  EXPECT_EQ(ViolationField(calls_.SendTest(owner_, request).status()), "to");
  request.set_to("me@example.com");
  request.mutable_item_details()->clear_price();
  EXPECT_EQ(ViolationField(calls_.SendTest(owner_, request).status()), "item_details.price");
}

TEST(EmailDurabilityTest, ARestartWithTheDataDirRestoresTemplates) {
  TempDir dir("email-e2e-data");
  runtime::ServerConfig config = TestConfig();
  config.data_dir = dir.path();
  v1::EmailTemplate saved;
  {
    TestServer server(config);
    EmailCalls calls(server.channel());
    v1::EmailTemplate values;
    values.set_sender_name("Durable Store");
    values.set_subject("Still here: {{item.name}}");
    values.set_brand_color("#336699");
    ASSERT_TRUE(calls.Update(As("kept", "user"), values, {"sender_name", "subject"}).ok());
    absl::StatusOr<v1::EmailTemplate> second =
        calls.Update(As("kept", "user"), values, {"brand_color"}, 1);
    ASSERT_TRUE(second.ok()) << second.status();
    saved = *second;
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "email_templates"));
  TestServer restarted(config);
  EmailCalls calls(restarted.channel());
  absl::StatusOr<v1::EmailTemplate> read = calls.Get(As("kept", "user"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*read, saved)) << read->DebugString();
  EXPECT_EQ(read->revision(), 2);
  EXPECT_EQ(calls.Get(As("other", "user"))->revision(), 0);
  // Revisions go on from where they were.
  v1::EmailTemplate values;
  values.set_heading("After the restart");
  EXPECT_EQ(calls.Update(As("kept", "user"), values, {"heading"}, 2)->revision(), 3);
}

}  // namespace
}  // namespace backinstock::testing
