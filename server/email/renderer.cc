#include "server/email/renderer.h"

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "mstch/mstch.hpp"
#include "server/domain/notification_requests/validation.h"
#include "server/email/email_template.h"
#include "server/email/layout.h"
#include "server/email/placeholders.h"
#include "server/email/utf8.h"

namespace backinstock::email {
namespace {

constexpr char kDefaultBrandColor[] = "#2563eb";

// A value from a request (item, customer, params) as text: valid UTF-8, every
// control character a space, so that no value can break a line, a header or
// a paragraph.
std::string CleanValue(absl::string_view value) {
  std::string clean = ToValidUtf8(value);
  for (char& c : clean) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return clean;
}

// Only http(s) URLs go into href and src; anything else is "" (the element
// is left out).
std::string SafeUrl(absl::string_view url) {
  return domain::IsHttpUrl(url) ? std::string(url) : std::string();
}

class Substituter {
 public:
  explicit Substituter(const RenderInput& input) : input_(input) {}

  // `text` with each placeholder replaced by its value, once: a value is
  // never read for placeholders itself.
  absl::StatusOr<std::string> Apply(absl::string_view text, absl::string_view field) const {
    absl::StatusOr<std::vector<TextPart>> parts = ParsePlaceholders(text, field);
    if (!parts.ok()) return parts.status();
    std::string out;
    for (const TextPart& part : *parts) {
      out += part.placeholder ? CleanValue(ValueOf(part.text)) : part.text;
    }
    return out;
  }

 private:
  std::string ValueOf(absl::string_view name) const {
    if (name == "item.name") return input_.item.name();
    if (name == "item.price") return input_.item.price();
    if (name == "item.url") return input_.item_url;
    if (name == "item.image.url") return input_.item.image().url();
    if (name == "customer.email") return input_.customer_email;
    if (absl::ConsumePrefix(&name, "params.")) {
      auto it = input_.params.find(std::string(name));
      if (it != input_.params.end()) return it->second;
    }
    return "";  // a params.KEY the report does not give
  }

  const RenderInput& input_;
};

// Paragraphs split on blank lines, each a list of its lines (CRLF and CR
// count as line breaks too).
std::vector<std::vector<std::string>> Paragraphs(absl::string_view text) {
  std::string normalized = absl::StrReplaceAll(text, {{"\r\n", "\n"}, {"\r", "\n"}});
  std::vector<std::vector<std::string>> paragraphs;
  std::vector<std::string> current;
  for (absl::string_view line : absl::StrSplit(normalized, '\n')) {
    if (absl::StripAsciiWhitespace(line).empty()) {
      if (!current.empty()) paragraphs.push_back(std::move(current));
      current.clear();
    } else {
      current.emplace_back(absl::StripTrailingAsciiWhitespace(line));
    }
  }
  if (!current.empty()) paragraphs.push_back(std::move(current));
  return paragraphs;
}

mstch::array ParagraphNodes(const std::vector<std::vector<std::string>>& paragraphs) {
  mstch::array nodes;
  for (const auto& lines : paragraphs) {
    mstch::array line_nodes;
    for (size_t i = 0; i < lines.size(); ++i) {
      line_nodes.push_back(mstch::map{{"text", lines[i]}, {"last", i + 1 == lines.size()}});
    }
    nodes.push_back(mstch::map{{"lines", line_nodes}});
  }
  return nodes;
}

// Black or white, whichever reads better on `color` (#RRGGBB), by the
// relative luminance of WCAG 2.
std::string TextColorOn(absl::string_view color) {
  auto channel = [&color](int offset) {
    // The color was validated as #RRGGBB when the template was saved; an
    // unparsable channel would count as 0.
    int value = 0;
    if (!absl::SimpleHexAtoi(color.substr(offset, 2), &value)) value = 0;
    const double c = value / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  const double luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white vs. with black: pick the larger.
  return (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) ? "#ffffff" : "#111111";
}

std::string PlainText(const std::string& heading, const std::string& name, const std::string& price,
                      const std::vector<std::vector<std::string>>& body,
                      const std::string& button_text, const std::string& button_url,
                      const std::vector<std::vector<std::string>>& footer) {
  std::vector<std::string> blocks;
  if (!heading.empty()) blocks.push_back(heading);
  blocks.push_back(price.empty() ? name : absl::StrCat(name, "\nPrice: ", price));
  for (const auto& lines : body) blocks.push_back(absl::StrJoin(lines, "\n"));
  if (!button_url.empty()) blocks.push_back(absl::StrCat(button_text, ": ", button_url));
  if (!footer.empty()) {
    std::vector<std::string> footer_blocks;
    for (const auto& lines : footer) footer_blocks.push_back(absl::StrJoin(lines, "\n"));
    blocks.push_back(absl::StrCat("-- \n", absl::StrJoin(footer_blocks, "\n\n")));
  }
  return absl::StrCat(absl::StrJoin(blocks, "\n\n"), "\n");
}

}  // namespace

absl::StatusOr<RenderedEmail> RenderEmail(const RenderInput& input) {
  const v1::EmailTemplate& t = input.email_template;
  if (absl::Status valid = ValidateEmailTemplate(t); !valid.ok()) return valid;
  const Substituter substitute(input);
  absl::StatusOr<std::string> subject = substitute.Apply(t.subject(), "subject");
  absl::StatusOr<std::string> heading = substitute.Apply(t.heading(), "heading");
  absl::StatusOr<std::string> body = substitute.Apply(t.body(), "body");
  absl::StatusOr<std::string> button = substitute.Apply(t.button_text(), "button_text");
  absl::StatusOr<std::string> footer = substitute.Apply(t.footer(), "footer");
  absl::StatusOr<std::string> sender = substitute.Apply(t.sender_name(), "sender_name");
  for (const auto* s : {&subject, &heading, &body, &button, &footer, &sender}) {
    if (!s->ok()) return s->status();
  }
  const std::string color =
      t.brand_color().empty() ? kDefaultBrandColor : absl::AsciiStrToLower(t.brand_color());
  const std::string name = CleanValue(input.item.name());
  const std::string price = CleanValue(input.item.price());
  const std::string image_url = SafeUrl(input.item.image().url());
  const std::string item_url = SafeUrl(input.item_url);
  const std::string logo_url = SafeUrl(t.logo_url());
  const auto body_paragraphs = Paragraphs(*body);
  const auto footer_paragraphs = Paragraphs(*footer);

  RenderedEmail email;
  email.subject = *subject;
  email.sender_name = *sender;
  mstch::map context{
      {"subject", *subject},
      {"sender_name", *sender},
      {"color", color},
      {"on_color", TextColorOn(color)},
      {"has_logo", !logo_url.empty()},
      {"logo_url", logo_url},
      {"heading", *heading},
      {"has_image", !image_url.empty()},
      {"image_url", image_url},
      {"image_alt",
       CleanValue(input.item.image().alt_text().empty() ? input.item.name()
                                                        : input.item.image().alt_text())},
      {"item_name", name},
      {"has_price", !price.empty()},
      {"price", price},
      {"paragraphs", ParagraphNodes(body_paragraphs)},
      {"has_button", !item_url.empty()},
      {"button_url", item_url},
      {"button_text", *button},
      {"has_footer", !footer_paragraphs.empty()},
      {"footer", ParagraphNodes(footer_paragraphs)},
  };
  email.html = mstch::render(kHtmlLayout, context);
  email.text =
      PlainText(*heading, name, price, body_paragraphs, *button, item_url, footer_paragraphs);
  return email;
}

}  // namespace backinstock::email
