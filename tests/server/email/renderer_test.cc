#include "server/email/renderer.h"

#include <string>

#include "backinstock/errors/error.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/email/email_template.h"

namespace backinstock::email {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

RenderInput Input() {
  RenderInput input;
  input.email_template = DefaultEmailTemplate();
  input.item.set_name("Blue Mug");
  input.item.set_price("12.50");
  input.item.mutable_image()->set_url("https://img.example.com/mug.png");
  input.item.mutable_image()->set_alt_text("A blue mug");
  input.item_url = "https://shop.example.com/mug?ref=email&x=1";
  input.customer_email = "ann@example.com";
  return input;
}

RenderedEmail Render(const RenderInput& input) {
  absl::StatusOr<RenderedEmail> email = RenderEmail(input);
  EXPECT_TRUE(email.ok()) << email.status();
  return email.ok() ? *email : RenderedEmail();
}

TEST(RenderEmail, DefaultTemplate) {
  const RenderedEmail email = Render(Input());
  EXPECT_EQ(email.subject, "Blue Mug is back in stock");
  EXPECT_THAT(email.html,
              AllOf(HasSubstr("<meta name=\"viewport\""), HasSubstr("max-width:600px"),
                    HasSubstr("Blue Mug"), HasSubstr("12.50"), HasSubstr("Shop now"),
                    HasSubstr("src=\"https:&#x2F;&#x2F;img.example.com&#x2F;mug.png\"")));
  // The button links to the item ('&' escaped as HTML requires).
  EXPECT_THAT(email.html,
              HasSubstr("href=\"https:&#x2F;&#x2F;shop.example.com&#x2F;mug?ref=email&amp;x=1\""));
  EXPECT_THAT(email.text, AllOf(HasSubstr("Blue Mug"), HasSubstr("12.50"),
                                HasSubstr("Shop now: https://shop.example.com/mug?ref=email&x=1"),
                                Not(HasSubstr("<"))));
  EXPECT_THAT(email.html, Not(HasSubstr("{{")));
}

TEST(RenderEmail, PlaceholdersEverywhere) {
  RenderInput input = Input();
  v1::EmailTemplate& t = input.email_template;
  t.set_subject("{{item.name}} for {{customer.email}} ({{params.coupon}})");
  t.set_heading("Hello {{customer.email}}");
  t.set_body(
      "Price {{item.price}} at {{item.url}}, photo {{item.image.url}}, missing "
      "[{{params.missing}}].");
  t.set_button_text("Get {{item.name}}");
  t.set_footer("Sent to {{ customer.email }}");
  t.set_sender_name("{{params.shop}} Store");
  input.params["coupon"] = "SAVE10";
  input.params["shop"] = "Acme\r\nBcc: x@example.com";
  const RenderedEmail email = Render(input);
  EXPECT_EQ(email.sender_name, "Acme  Bcc: x@example.com Store");
  EXPECT_EQ(email.subject, "Blue Mug for ann@example.com (SAVE10)");
  EXPECT_THAT(email.text,
              AllOf(HasSubstr("Hello ann@example.com"),
                    HasSubstr("Price 12.50 at https://shop.example.com/mug?ref=email&x=1, "
                              "photo https://img.example.com/mug.png, missing []."),
                    HasSubstr("Get Blue Mug: "), HasSubstr("Sent to ann@example.com")));
  EXPECT_THAT(email.html, AllOf(HasSubstr("Hello ann@example.com"), HasSubstr("Get Blue Mug")));
}

TEST(RenderEmail, ValuesAreSubstitutedOnceNeverReExpanded) {
  RenderInput input = Input();
  input.customer_email = "{{item.name}}@example.com";
  input.item.set_name("{{customer.email}} {{{x}}} {{#s}}");
  input.email_template.set_heading("{{customer.email}} / {{item.name}}");
  const RenderedEmail email = Render(input);
  EXPECT_THAT(email.text,
              HasSubstr("{{item.name}}@example.com / {{customer.email}} {{{x}}} {{#s}}"));
  EXPECT_THAT(email.html, HasSubstr("{{item.name}}@example.com"));
}

TEST(RenderEmail, HostileValuesAreEscapedInTheHtml) {
  RenderInput input = Input();
  input.item.set_name("<script>alert(1)</script> \"quoted\" 'single' & co");
  input.item.set_price("<b>1</b>");
  input.item.mutable_image()->set_alt_text("\" onerror=\"alert(1)");
  input.customer_email = "<img src=x onerror=alert(1)>";
  input.params["p"] = "</td><script>";
  v1::EmailTemplate& t = input.email_template;
  t.set_sender_name("<i>Shop</i>");
  t.set_heading("<h1>{{item.name}}</h1>");
  t.set_body("<a href=\"javascript:alert(1)\">x</a> {{customer.email}} {{params.p}}");
  t.set_footer("<style>*{display:none}</style>");
  t.set_button_text("<blink>Go</blink>");
  const RenderedEmail email = Render(input);
  EXPECT_THAT(email.html, AllOf(Not(HasSubstr("<script")), Not(HasSubstr("<img src=x")),
                                Not(HasSubstr("<i>")), Not(HasSubstr("<h1><h1>")),
                                Not(HasSubstr("<a href=\"javascript")), Not(HasSubstr("<style>")),
                                Not(HasSubstr("<blink>")), Not(HasSubstr("\" onerror")),
                                Not(HasSubstr("</td><script>")), Not(HasSubstr("<b>1"))));
  EXPECT_THAT(email.html, AllOf(HasSubstr("&lt;script&gt;"), HasSubstr("&quot;quoted&quot;"),
                                HasSubstr("&amp; co"), HasSubstr("&lt;blink&gt;")));
  // The text part is plain text: the same characters, unescaped.
  EXPECT_THAT(email.text, HasSubstr("<script>alert(1)</script> \"quoted\""));
}

TEST(RenderEmail, OnlyHttpUrlsInHrefAndSrc) {
  RenderInput input = Input();
  input.item_url = "javascript:alert(1)";
  input.item.mutable_image()->set_url("data:image/png;base64,AAAA");
  RenderedEmail email = Render(input);
  EXPECT_THAT(email.html, AllOf(Not(HasSubstr("href=")), Not(HasSubstr("<img")),
                                Not(HasSubstr("javascript")), Not(HasSubstr("data:"))));
  EXPECT_THAT(email.text, Not(HasSubstr("Shop now:")));

  input.item_url = "http://shop.example.com/a";
  input.item.mutable_image()->set_url("vbscript:x");
  input.email_template.set_logo_url("https://cdn.example.com/logo.png");
  email = Render(input);
  EXPECT_THAT(email.html,
              AllOf(HasSubstr("href=\"http:&#x2F;&#x2F;shop.example.com&#x2F;a\""),
                    HasSubstr("src=\"https:&#x2F;&#x2F;cdn.example.com&#x2F;logo.png\""),
                    Not(HasSubstr("vbscript"))));
}

TEST(RenderEmail, ControlCharactersInValuesBecomeSpaces) {
  RenderInput input = Input();
  input.item.set_name("Mug\r\nBcc: evil@example.com");
  input.customer_email = "a\nb";
  const RenderedEmail email = Render(input);
  EXPECT_EQ(email.subject, "Mug  Bcc: evil@example.com is back in stock");
  EXPECT_THAT(email.text, Not(HasSubstr("\r")));
}

TEST(RenderEmail, BodyParagraphsSplitOnBlankLines) {
  RenderInput input = Input();
  input.email_template.set_body("First line\nsecond line\n\n\nSecond paragraph\r\n\r\nThird");
  const RenderedEmail email = Render(input);
  EXPECT_THAT(email.html, HasSubstr(">First line<br>second line</p>"));
  EXPECT_THAT(email.html, HasSubstr(">Second paragraph</p>"));
  EXPECT_THAT(email.html, HasSubstr(">Third</p>"));
  EXPECT_THAT(email.text, HasSubstr("First line\nsecond line\n\nSecond paragraph\n\nThird\n"));
}

TEST(RenderEmail, BrandColorOnTheHeadingBarAndButton) {
  RenderInput input = Input();
  input.email_template.set_brand_color("#FFD700");  // light: dark text on it
  RenderedEmail email = Render(input);
  EXPECT_THAT(email.html, HasSubstr("background-color:#ffd700;padding:28px"));
  EXPECT_THAT(email.html, HasSubstr("background-color:#ffd700;border-radius:6px"));
  EXPECT_THAT(email.html, HasSubstr("color:#111111"));
  input.email_template.set_brand_color("#123456");  // dark: white text
  email = Render(input);
  EXPECT_THAT(email.html, HasSubstr("color:#ffffff;\">"));
}

TEST(RenderEmail, AnInvalidTemplateIsRefused) {
  RenderInput input = Input();
  input.email_template.set_subject("{{{item.name}}}");
  const absl::StatusOr<RenderedEmail> email = RenderEmail(input);
  EXPECT_EQ(email.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(email.status()), "INVALID_TEMPLATE");
}

}  // namespace
}  // namespace backinstock::email
