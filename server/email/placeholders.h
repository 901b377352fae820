// The placeholder language of merchant texts: plain text with `{{name}}`
// tags, where name is item.name, item.price, item.url, item.image.url,
// customer.email or params.KEY (KEY: 1 to 100 of [A-Za-z0-9_.-]). Every other
// Mustache form is refused, so a text means the same to the validator and the
// renderer and nothing in it is ever interpreted twice.
#ifndef BACKINSTOCK_SERVER_EMAIL_PLACEHOLDERS_H_
#define BACKINSTOCK_SERVER_EMAIL_PLACEHOLDERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backinstock::email {

inline constexpr size_t kMaxParamKeyLength = 100;

// One piece of a text: literal characters, or a placeholder's name (spaces
// inside the braces removed: `{{ item.name }}` is `item.name`).
struct TextPart {
  bool placeholder = false;
  std::string text;
};

// Splits `text` into literal and placeholder parts. INVALID_ARGUMENT, reason
// INVALID_TEMPLATE, BadRequest on `field`, metadata `field` and `placeholder`
// (the offending tag as written, cut short) for a section, inverted section,
// closing tag, partial, comment, triple brace, `{{&x}}`, set-delimiter tag,
// unknown name, or an unbalanced `{{` or `}}`.
absl::StatusOr<std::vector<TextPart>> ParsePlaceholders(absl::string_view text,
                                                        absl::string_view field);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_PLACEHOLDERS_H_
