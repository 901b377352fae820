#include "server/email/email_template.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "server/domain/notification_requests/validation.h"
#include "server/email/placeholders.h"
#include "server/email/utf8.h"

namespace backinstock::email {
namespace {

enum class Lines { kOne, kMany };

// A merchant text: valid UTF-8, at most `max_chars` code points, no control
// characters but tab (and line breaks where the field has several lines), and
// only the placeholders the renderer knows.
absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_chars,
                       Lines lines) {
  const std::optional<size_t> chars = CountCodePoints(value);
  if (!chars) {
    return errors::InvalidField(field, "is not valid UTF-8", kReasonInvalidText);
  }
  if (*chars > max_chars) {
    return errors::InvalidField(
        field, absl::StrCat("has ", *chars, " characters; at most ", max_chars, " are allowed"),
        kReasonTooLong);
  }
  for (unsigned char c : value) {
    if (c == '\r' || c == '\n') {
      if (lines == Lines::kOne) {
        return errors::InvalidField(field, "must be one line (no CR or LF)", kReasonLineBreak);
      }
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return errors::InvalidField(
          field, absl::StrCat("holds the control character 0x", absl::Hex(c)), kReasonInvalidText);
    }
  }
  return ParsePlaceholders(value, field).status();
}

bool IsAscii(absl::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// RFC 3986's characters: unreserved, reserved and '%'. Quotes, angle
// brackets, spaces and non-ASCII must be percent-encoded in a URL.
bool HasOnlyUriCharacters(absl::string_view url) {
  for (unsigned char c : url) {
    if (!(absl::ascii_isalnum(c) ||
          absl::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != absl::string_view::npos)) {
      return false;
    }
  }
  return true;
}

bool IsBrandColor(absl::string_view color) {
  if (color.size() != 7 || color[0] != '#') return false;
  for (char c : color.substr(1)) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

v1::EmailTemplate DefaultEmailTemplate() {
  v1::EmailTemplate t;
  t.set_sender_name("Our store");
  t.set_subject("{{item.name}} is back in stock");
  t.set_heading("Good news: it's back!");
  t.set_body(
      "You asked us to let you know when {{item.name}} is available again. It is back in "
      "stock now, at {{item.price}}.\n\n"
      "Popular items sell out fast, so don't wait too long.");
  t.set_button_text("Shop now");
  t.set_footer(
      "You received this email because you asked to be notified when this item is back in "
      "stock. We will not email you about it again.");
  t.set_revision(0);
  return t;
}

absl::Status ValidateEmailTemplate(const v1::EmailTemplate& t) {
  struct Text {
    absl::string_view field;
    const std::string& value;
    size_t max_chars;
    Lines lines;
  };
  const Text texts[] = {
      {"sender_name", t.sender_name(), kMaxSenderNameChars, Lines::kOne},
      {"subject", t.subject(), kMaxSubjectChars, Lines::kOne},
      {"heading", t.heading(), kMaxHeadingChars, Lines::kOne},
      {"body", t.body(), kMaxBodyChars, Lines::kMany},
      {"button_text", t.button_text(), kMaxButtonTextChars, Lines::kOne},
      {"footer", t.footer(), kMaxFooterChars, Lines::kMany},
  };
  for (const Text& text : texts) {
    if (absl::Status s = CheckText(text.field, text.value, text.max_chars, text.lines); !s.ok()) {
      return s;
    }
  }
  // Non-ASCII addresses would need SMTPUTF8 end to end, which the relay
  // may not offer: refused here rather than failing at every send.
  if (!t.reply_to().empty() && (!domain::IsValidEmail(t.reply_to()) || !IsAscii(t.reply_to()))) {
    return errors::InvalidField(
        "reply_to", absl::StrCat(errors::Quoted(t.reply_to()), " is not an ASCII email address"),
        kReasonInvalidEmail);
  }
  if (!t.brand_color().empty() && !IsBrandColor(t.brand_color())) {
    return errors::InvalidField("brand_color",
                                absl::StrCat(errors::Quoted(t.brand_color()), " is not #RRGGBB"),
                                kReasonInvalidColor);
  }
  if (!t.logo_url().empty()) {
    if (t.logo_url().size() > kMaxLogoUrlChars ||
        !absl::StartsWithIgnoreCase(t.logo_url(), "https://") ||
        !HasOnlyUriCharacters(t.logo_url()) || !domain::IsHttpUrl(t.logo_url())) {
      return errors::InvalidField(
          "logo_url", absl::StrCat(errors::Quoted(t.logo_url()), " is not an https URL"),
          kReasonInvalidUrl);
    }
  }
  return absl::OkStatus();
}

}  // namespace backinstock::email
