#include "server/email/email_template.h"

#include <string>
#include <vector>

#include "backinstock/errors/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace backinstock::email {
namespace {

using ::testing::HasSubstr;

std::string Repeat(const std::string& unit, size_t times) {
  std::string out;
  for (size_t i = 0; i < times; ++i) out += unit;
  return out;
}

// The BadRequest field and the ErrorInfo reason of a refusal.
struct Refusal {
  std::string field;
  std::string reason;
};

Refusal RefusalOf(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  auto bad_request = errors::BadRequestOf(status);
  EXPECT_TRUE(bad_request.has_value()) << status;
  if (!bad_request || bad_request->field_violations_size() != 1) return {};
  return {bad_request->field_violations(0).field(), errors::ReasonOf(status)};
}

TEST(DefaultEmailTemplate, IsValidAndMatchesTheSpec) {
  const v1::EmailTemplate t = DefaultEmailTemplate();
  EXPECT_TRUE(ValidateEmailTemplate(t).ok());
  EXPECT_EQ(t.subject(), "{{item.name}} is back in stock");
  EXPECT_EQ(t.button_text(), "Shop now");
  EXPECT_EQ(t.revision(), 0);
  EXPECT_FALSE(t.heading().empty());
  EXPECT_FALSE(t.body().empty());
  EXPECT_FALSE(t.footer().empty());
}

struct TextField {
  std::string name;
  size_t limit;
  bool one_line;
  void (v1::EmailTemplate::*set)(const std::string&);
};

const TextField kTextFields[] = {
    {"sender_name", 100, true, &v1::EmailTemplate::set_sender_name},
    {"subject", 200, true, &v1::EmailTemplate::set_subject},
    {"heading", 200, true, &v1::EmailTemplate::set_heading},
    {"body", 5000, false, &v1::EmailTemplate::set_body},
    {"button_text", 50, true, &v1::EmailTemplate::set_button_text},
    {"footer", 1000, false, &v1::EmailTemplate::set_footer},
};

TEST(ValidateEmailTemplate, EveryLimitCountsCodePoints) {
  for (const TextField& field : kTextFields) {
    SCOPED_TRACE(field.name);
    v1::EmailTemplate t = DefaultEmailTemplate();
    // "é" is two bytes and "😀" four: the limit is in characters.
    (t.*field.set)(Repeat("é", field.limit - 1) + "😀");
    EXPECT_TRUE(ValidateEmailTemplate(t).ok());
    (t.*field.set)(Repeat("a", field.limit + 1));
    const absl::Status status = ValidateEmailTemplate(t);
    const Refusal refusal = RefusalOf(status);
    EXPECT_EQ(refusal.field, field.name);
    EXPECT_EQ(refusal.reason, kReasonTooLong);
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat(field.limit)));
  }
}

TEST(ValidateEmailTemplate, InvalidUtf8AndControlCharactersAreRefused) {
  for (const TextField& field : kTextFields) {
    SCOPED_TRACE(field.name);
    for (const std::string& bad : std::vector<std::string>{
             std::string("a\xC3"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
             std::string("\xF4\x90\x80\x80"), std::string("\x80")}) {
      v1::EmailTemplate t = DefaultEmailTemplate();
      (t.*field.set)(bad);
      EXPECT_EQ(RefusalOf(ValidateEmailTemplate(t)).reason, kReasonInvalidText);
    }
    v1::EmailTemplate t = DefaultEmailTemplate();
    (t.*field.set)(std::string("nul\0here", 8));
    EXPECT_EQ(RefusalOf(ValidateEmailTemplate(t)).field, field.name);
    (t.*field.set)("tab\tis fine");
    EXPECT_TRUE(ValidateEmailTemplate(t).ok());
  }
}

TEST(ValidateEmailTemplate, LineBreaksOnlyInBodyAndFooter) {
  for (const TextField& field : kTextFields) {
    SCOPED_TRACE(field.name);
    for (const std::string& text :
         std::vector<std::string>{"one\ntwo", "one\rtwo", "one\r\nBcc: x@example.com"}) {
      v1::EmailTemplate t = DefaultEmailTemplate();
      (t.*field.set)(text);
      const absl::Status status = ValidateEmailTemplate(t);
      if (field.one_line) {
        const Refusal refusal = RefusalOf(status);
        EXPECT_EQ(refusal.field, field.name);
        EXPECT_EQ(refusal.reason, kReasonLineBreak);
      } else {
        EXPECT_TRUE(status.ok()) << status;
      }
    }
  }
}

TEST(ValidateEmailTemplate, ReplyTo) {
  v1::EmailTemplate t = DefaultEmailTemplate();
  for (const std::string& good :
       std::vector<std::string>{"", "shop@example.com", "first.last+tag@mail.example.co.uk"}) {
    t.set_reply_to(good);
    EXPECT_TRUE(ValidateEmailTemplate(t).ok()) << good;
  }
  for (const std::string& bad : std::vector<std::string>{
           "shop", "shop@", "@example.com", "a@b", "shop@example.com\r\nBcc: x@example.com",
           "Shop <shop@example.com>", "shop@example.com, other@example.com", "shöp@example.com",
           "a b@example.com"}) {
    t.set_reply_to(bad);
    const Refusal refusal = RefusalOf(ValidateEmailTemplate(t));
    EXPECT_EQ(refusal.field, "reply_to") << bad;
    EXPECT_EQ(refusal.reason, kReasonInvalidEmail) << bad;
  }
}

TEST(ValidateEmailTemplate, BrandColor) {
  v1::EmailTemplate t = DefaultEmailTemplate();
  for (const std::string& good : std::vector<std::string>{"", "#000000", "#A1b2C3", "#ffffff"}) {
    t.set_brand_color(good);
    EXPECT_TRUE(ValidateEmailTemplate(t).ok()) << good;
  }
  for (const std::string& bad :
       std::vector<std::string>{"red", "#fff", "#1234567", "123456", "#12345g",
                                "#123456;background:url(x)", "#12345\"", " #123456"}) {
    t.set_brand_color(bad);
    const Refusal refusal = RefusalOf(ValidateEmailTemplate(t));
    EXPECT_EQ(refusal.field, "brand_color") << bad;
    EXPECT_EQ(refusal.reason, kReasonInvalidColor) << bad;
  }
}

TEST(ValidateEmailTemplate, LogoUrlIsHttpsOnly) {
  v1::EmailTemplate t = DefaultEmailTemplate();
  for (const std::string& good : std::vector<std::string>{"", "https://cdn.example.com/logo.png",
                                                          "HTTPS://x.example/a?b=1"}) {
    t.set_logo_url(good);
    EXPECT_TRUE(ValidateEmailTemplate(t).ok()) << good;
  }
  for (const std::string& bad : std::vector<std::string>{
           "http://cdn.example.com/logo.png", "javascript:alert(1)", "data:image/png;base64,AAAA",
           "//cdn.example.com/logo.png", "https://", "https://cdn.example.com/a b.png",
           "https://cdn.example.com/\"onerror=\"x", "logo.png",
           "https://x.example/" + std::string(3000, 'a')}) {
    t.set_logo_url(bad);
    const Refusal refusal = RefusalOf(ValidateEmailTemplate(t));
    EXPECT_EQ(refusal.field, "logo_url") << bad;
    EXPECT_EQ(refusal.reason, kReasonInvalidUrl) << bad;
  }
}

TEST(ValidateEmailTemplate, ParamKeysAreAtMost100Characters) {
  v1::EmailTemplate t = DefaultEmailTemplate();
  t.set_body("{{params." + std::string(101, 'k') + "}}");
  const absl::Status status = ValidateEmailTemplate(t);
  EXPECT_EQ(RefusalOf(status).reason, kReasonInvalidTemplate);
  EXPECT_EQ(errors::ErrorInfoOf(status)->metadata().at("field"), "body");
}

TEST(ValidateEmailTemplate, EveryKnownPlaceholderIsAccepted) {
  v1::EmailTemplate t = DefaultEmailTemplate();
  t.set_body(
      "{{item.name}} {{item.price}} {{item.url}} {{item.image.url}} {{customer.email}} "
      "{{params.coupon}} {{params.A-b_c.9}} {{ item.name }} { single } } {{params." +
      std::string(100, 'k') + "}}");
  EXPECT_TRUE(ValidateEmailTemplate(t).ok()) << ValidateEmailTemplate(t);
}

TEST(ValidateEmailTemplate, RefusedPlaceholdersNameFieldAndPlaceholder) {
  struct Case {
    std::string text;
    std::string placeholder;
  };
  const Case cases[] = {
      {"Hi {{#item.name}}x{{/item.name}}", "{{#item.name}}"},
      {"Hi {{^item.name}}x{{/item.name}}", "{{^item.name}}"},
      {"Hi {{/item.name}}", "{{/item.name}}"},
      {"Hi {{>footer}}", "{{>footer}}"},
      {"Hi {{! a comment }}", "{{! a comment }}"},
      {"Hi {{{item.name}}}", "{{{item.name}}}"},
      {"Hi {{&item.name}}", "{{&item.name}}"},
      {"Hi {{=<% %>=}}", "{{=<% %>=}}"},
      {"Hi {{item.nme}}", "{{item.nme}}"},
      {"Hi {{customer.name}}", "{{customer.name}}"},
      {"Hi {{params.}}", "{{params.}}"},
      {"Hi {{params.a b}}", "{{params.a b}}"},
      {"Hi {{}}", "{{}}"},
      {"Hi {{item.name", "{{item.name"},
      {"Hi {{item.name} there", "{{item.name} there"},
      {"Hi item.name}} there", "}}"},
      {"Hi {{item.name {{item.price}}", "{{item.name "},
  };
  for (const TextField& field : kTextFields) {
    for (const Case& c : cases) {
      SCOPED_TRACE(field.name + ": " + c.text);
      v1::EmailTemplate t = DefaultEmailTemplate();
      (t.*field.set)(c.text);
      const absl::Status status = ValidateEmailTemplate(t);
      const Refusal refusal = RefusalOf(status);
      EXPECT_EQ(refusal.field, field.name);
      EXPECT_EQ(refusal.reason, kReasonInvalidTemplate);
      auto info = errors::ErrorInfoOf(status);
      ASSERT_TRUE(info.has_value());
      EXPECT_EQ(info->metadata().at("field"), field.name);
      if (!c.placeholder.empty()) {
        EXPECT_EQ(info->metadata().at("placeholder"), c.placeholder);
      }
      EXPECT_THAT(status.message(), HasSubstr(field.name));
    }
  }
}

}  // namespace
}  // namespace backinstock::email
