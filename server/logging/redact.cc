#include "server/logging/redact.h"

#include "absl/strings/ascii.h"

namespace backinstock::logging {
namespace {

bool Separates(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u == 0x7f || absl::ascii_isspace(u)) return true;
  switch (c) {
    case '"':
    case '\'':
    case '`':
    case '<':
    case '>':
    case '(':
    case ')':
    case ',':
    case ';':
    case '\\':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string RedactEmails(absl::string_view text) {
  std::string out;
  AppendRedactingEmails(text, &out);
  return out;
}

void AppendRedactingEmails(absl::string_view text, std::string* out) {
  if (text.find('@') == absl::string_view::npos) {
    out->append(text.data(), text.size());
    return;
  }
  out->reserve(out->size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (Separates(text[i])) {
      out->push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && !Separates(text[end])) ++end;
    const absl::string_view word = text.substr(i, end - i);
    if (word.find('@') == absl::string_view::npos) {
      out->append(word.data(), word.size());
    } else {
      out->append(kRedactedEmail.data(), kRedactedEmail.size());
    }
    i = end;
  }
}

}  // namespace backinstock::logging
