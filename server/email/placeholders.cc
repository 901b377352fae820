#include "server/email/placeholders.h"

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "backinstock/errors/error.h"

namespace backinstock::email {
namespace {

constexpr size_t kMaxQuotedTag = 80;

absl::Status InvalidTemplate(absl::string_view field, absl::string_view tag,
                             absl::string_view why) {
  const std::string shown = tag.size() > kMaxQuotedTag
                                ? absl::StrCat(tag.substr(0, kMaxQuotedTag), "...")
                                : std::string(tag);
  const std::string description = absl::StrCat(errors::Quoted(shown, kMaxQuotedTag + 3), ": ", why);
  absl::Status status = errors::Error(absl::StatusCode::kInvalidArgument, "INVALID_TEMPLATE",
                                      absl::StrCat(field, ": ", description),
                                      {{"field", field}, {"placeholder", shown}});
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(description);
  status.SetPayload(errors::kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

bool IsParamKey(absl::string_view key) {
  if (key.empty() || key.size() > kMaxParamKeyLength) return false;
  for (char c : key) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsKnownName(absl::string_view name) {
  if (name == "item.name" || name == "item.price" || name == "item.url" ||
      name == "item.image.url" || name == "customer.email") {
    return true;
  }
  return absl::ConsumePrefix(&name, "params.") && IsParamKey(name);
}

// Why a tag's content (between `{{` and `}}`) is refused, or "" when it names
// a known placeholder.
std::string RefusalOf(absl::string_view content) {
  const absl::string_view name = absl::StripAsciiWhitespace(content);
  if (name.empty()) return "an empty placeholder";
  switch (name.front()) {
    case '#':
      return "sections are not supported";
    case '^':
      return "inverted sections are not supported";
    case '/':
      return "section ends are not supported";
    case '>':
      return "partials are not supported";
    case '<':
      return "partials are not supported";
    case '!':
      return "comments are not supported";
    case '{':
      return "triple braces are not supported (every value is escaped)";
    case '&':
      return "unescaped values are not supported (every value is escaped)";
    case '=':
      return "set-delimiter tags are not supported";
    default:
      break;
  }
  if (!IsKnownName(name)) {
    return "unknown placeholder; use item.name, item.price, item.url, item.image.url, "
           "customer.email or params.KEY (KEY: 1-100 of A-Z a-z 0-9 _ . -)";
  }
  return "";
}

}  // namespace

absl::StatusOr<std::vector<TextPart>> ParsePlaceholders(absl::string_view text,
                                                        absl::string_view field) {
  std::vector<TextPart> parts;
  auto add_literal = [&parts](absl::string_view literal) {
    if (literal.empty()) return;
    if (!parts.empty() && !parts.back().placeholder) {
      absl::StrAppend(&parts.back().text, literal);
    } else {
      parts.push_back({false, std::string(literal)});
    }
  };
  size_t position = 0;
  while (position < text.size()) {
    const size_t open = text.find("{{", position);
    const size_t stray_close =
        text.substr(position,
                    open == absl::string_view::npos ? absl::string_view::npos : open - position)
            .find("}}");
    if (stray_close != absl::string_view::npos) {
      return InvalidTemplate(field, "}}", "a closing }} without an opening {{");
    }
    if (open == absl::string_view::npos) {
      add_literal(text.substr(position));
      break;
    }
    add_literal(text.substr(position, open - position));
    const size_t close = text.find("}}", open + 2);
    const size_t next_open = text.find("{{", open + 2);
    // `{{{x}}}` holds a `{{` right after the first: report it as a triple
    // brace rather than as unbalanced.
    const bool triple = open + 2 < text.size() && text[open + 2] == '{';
    if (close == absl::string_view::npos || (!triple && next_open < close)) {
      const size_t end = close == absl::string_view::npos ? text.size() : next_open;
      return InvalidTemplate(field, text.substr(open, end - open),
                             "an opening {{ without its closing }}");
    }
    size_t end = close + 2;
    if (triple && end < text.size() && text[end] == '}') ++end;
    const absl::string_view tag = text.substr(open, end - open);
    if (std::string why = RefusalOf(text.substr(open + 2, close - open - 2)); !why.empty()) {
      return InvalidTemplate(field, tag, why);
    }
    parts.push_back(
        {true, std::string(absl::StripAsciiWhitespace(text.substr(open + 2, close - open - 2)))});
    position = end;
  }
  return parts;
}

}  // namespace backinstock::email
