#include "server/email/mime_message.h"

#include <algorithm>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "server/domain/notification_requests/validation.h"
#include "server/email/utf8.h"

namespace backinstock::email {
namespace {

constexpr size_t kMaxHeaderLine = 78;  // RFC 5322 2.1.1 SHOULD (998 is the MUST)
constexpr size_t kMaxQpLine = 76;      // RFC 2045 6.7
// UTF-8 bytes per RFC 2047 encoded word: 39 bytes are 52 base64 characters,
// 64 with "=?UTF-8?B?" and "?=", so "Subject: " and a word fit in 78.
constexpr size_t kEncodedWordBytes = 39;
constexpr size_t kMaxMessageIdLocal = 128;

bool IsPrintableAscii(absl::string_view text) {
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool HasLineBreak(absl::string_view text) {
  return text.find_first_of("\r\n") != absl::string_view::npos;
}

// RFC 2047 "B" encoded words, each a whole number of UTF-8 characters.
std::vector<std::string> EncodedWords(absl::string_view text) {
  const std::string valid = ToValidUtf8(text);
  std::vector<std::string> words;
  size_t start = 0;
  while (start < valid.size()) {
    size_t end = std::min(valid.size(), start + kEncodedWordBytes);
    // Back up to a character boundary (never past the start: a character is
    // at most 4 bytes).
    while (end < valid.size() && (static_cast<unsigned char>(valid[end]) & 0xC0) == 0x80) --end;
    words.push_back(
        absl::StrCat("=?UTF-8?B?", absl::Base64Escape(valid.substr(start, end - start)), "?="));
    start = end;
  }
  return words;
}

// "Name: " followed by `tokens` separated by single spaces, folded (CRLF SP)
// before a token that would take the line past 78 characters.
std::string FoldedHeader(absl::string_view name, const std::vector<std::string>& tokens) {
  std::string out = absl::StrCat(name, ":");
  size_t line_length = out.size();
  for (const std::string& token : tokens) {
    if (!token.empty() && line_length + 1 + token.size() > kMaxHeaderLine &&
        line_length > name.size() + 1) {
      absl::StrAppend(&out, "\r\n");
      line_length = 0;
    }
    absl::StrAppend(&out, " ", token);
    line_length += 1 + token.size();
  }
  absl::StrAppend(&out, "\r\n");
  return out;
}

// A word short enough to start a folded header line.
bool FitsOnALine(const std::string& word) { return word.size() <= kMaxHeaderLine - 10; }

// Free text (a Subject): as it is when it is printable ASCII that cannot be
// mistaken for encoded words and has no word too long to fold, else encoded
// words.
std::vector<std::string> TextTokens(absl::string_view text) {
  if (IsPrintableAscii(text) && !absl::StrContains(text, "=?")) {
    std::vector<std::string> words = absl::StrSplit(text, ' ');
    if (std::all_of(words.begin(), words.end(), FitsOnALine)) return words;
  }
  return EncodedWords(text);
}

// A display name: a quoted string (quotes and backslashes escaped) when it
// is printable ASCII (where "=?" is never decoded, RFC 2047 5(3)) with no
// word too long to fold, else encoded words.
std::vector<std::string> DisplayNameTokens(absl::string_view name) {
  if (IsPrintableAscii(name)) {
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += '"';
    std::vector<std::string> words = absl::StrSplit(quoted, ' ');
    if (std::all_of(words.begin(), words.end(), FitsOnALine)) return words;
  }
  return EncodedWords(name);
}

std::string MailboxHeader(absl::string_view header, absl::string_view display_name,
                          absl::string_view address) {
  std::vector<std::string> tokens;
  if (!display_name.empty()) tokens = DisplayNameTokens(display_name);
  tokens.push_back(absl::StrCat("<", address, ">"));
  return FoldedHeader(header, tokens);
}

// Quoted-printable (RFC 2045 6.7) of `text` with its line breaks (LF, CRLF or
// CR) as CRLF. Besides what the RFC requires, a '.' or 'F' starting a line is
// encoded, so that no relay's dot-stuffing or mbox "From " escaping changes
// the text.
std::string QuotedPrintable(absl::string_view text) {
  std::string out;
  std::vector<std::string> lines =
      absl::StrSplit(absl::StrReplaceAll(text, {{"\r\n", "\n"}, {"\r", "\n"}}), '\n');
  for (size_t l = 0; l < lines.size(); ++l) {
    const std::string& line = lines[l];
    size_t length = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(line[i]);
      const bool last = i + 1 == line.size();
      const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
      const bool line_start_escape = length == 0 && (c == '.' || c == 'F');
      std::string piece = literal && !line_start_escape ? std::string(1, static_cast<char>(c))
                                                        : absl::StrFormat("=%02X", c);
      // A soft line break ("=") must fit within 76 characters.
      if (length + piece.size() > kMaxQpLine - 1) {
        absl::StrAppend(&out, "=\r\n");
        length = 0;
        if (c == '.' || c == 'F') piece = absl::StrFormat("=%02X", c);
      }
      absl::StrAppend(&out, piece);
      length += piece.size();
    }
    if (l + 1 < lines.size()) absl::StrAppend(&out, "\r\n");
  }
  return out;
}

std::string RandomBoundary() {
  // "=_" never occurs in quoted-printable (an '=' is followed by two hex
  // digits or a line break), so the boundary cannot occur in the parts.
  absl::BitGen random;
  std::string boundary = "=_backinstock_";
  for (int i = 0; i < 32; ++i) boundary += "0123456789abcdef"[absl::Uniform(random, 0, 16)];
  return boundary;
}

std::string Part(absl::string_view boundary, absl::string_view content_type,
                 absl::string_view body) {
  return absl::StrCat("--", boundary, "\r\n", "Content-Type: ", content_type, "; charset=UTF-8\r\n",
                      "Content-Transfer-Encoding: quoted-printable\r\n", "\r\n",
                      QuotedPrintable(body), "\r\n");
}

absl::Status CheckAddress(absl::string_view field, absl::string_view address) {
  if (!domain::IsValidEmail(address) || !IsPrintableAscii(address)) {
    return errors::InvalidField(
        field, absl::StrCat(errors::Quoted(address), " is not an ASCII email address"));
  }
  return absl::OkStatus();
}

absl::Status CheckHeaders(const RenderedEmail& email, const MessageHeaders& h) {
  if (absl::Status s = CheckAddress("from_address", h.from_address); !s.ok()) return s;
  if (absl::Status s = CheckAddress("to", h.to); !s.ok()) return s;
  if (!h.reply_to.empty()) {
    if (absl::Status s = CheckAddress("reply_to", h.reply_to); !s.ok()) return s;
  }
  if (HasLineBreak(h.sender_name)) {
    return errors::InvalidField("sender_name", "must be one line (no CR or LF)");
  }
  if (HasLineBreak(email.subject)) {
    return errors::InvalidField("subject", "must be one line (no CR or LF)");
  }
  const absl::string_view id = h.message_id;
  if (id.size() < 5 || id.front() != '<' || id.back() != '>' || !IsPrintableAscii(id) ||
      absl::StrContains(id, " ") || !absl::StrContains(id, "@") || id.size() > 998 - 12) {
    return errors::InvalidField("message_id",
                                absl::StrCat(errors::Quoted(id), " is not <id@domain>"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string MessageIdFor(absl::string_view request_id, absl::string_view mail_from) {
  std::string local;
  for (unsigned char c : request_id) {
    if (local.size() == kMaxMessageIdLocal) break;
    if (absl::ascii_isalnum(c) ||
        absl::string_view("!#$%&'*+-/=?^_`{|}~.").find(c) != absl::string_view::npos) {
      local += static_cast<char>(c);
    }
  }
  // Dots may neither start nor end the left part, nor follow each other.
  while (!local.empty() && local.front() == '.') local.erase(0, 1);
  while (!local.empty() && local.back() == '.') local.pop_back();
  while (absl::StrContains(local, "..")) local = absl::StrReplaceAll(local, {{"..", "."}});
  if (local.empty()) local = "request";
  const size_t at = mail_from.rfind('@');
  std::string domain = at == absl::string_view::npos
                           ? std::string("localhost")
                           : absl::AsciiStrToLower(mail_from.substr(at + 1));
  domain.erase(std::remove_if(domain.begin(), domain.end(),
                              [](unsigned char c) {
                                return !(absl::ascii_isalnum(c) || c == '.' || c == '-');
                              }),
               domain.end());
  if (domain.empty()) domain = "localhost";
  return absl::StrCat("<", local, "@", domain, ">");
}

absl::StatusOr<std::string> BuildMimeMessage(const RenderedEmail& email, const MessageHeaders& h) {
  if (absl::Status s = CheckHeaders(email, h); !s.ok()) return s;
  const std::string boundary = RandomBoundary();
  std::string message;
  absl::StrAppend(&message, MailboxHeader("From", h.sender_name, h.from_address));
  absl::StrAppend(&message, MailboxHeader("To", "", h.to));
  if (!h.reply_to.empty()) absl::StrAppend(&message, MailboxHeader("Reply-To", "", h.reply_to));
  absl::StrAppend(&message, FoldedHeader("Subject", TextTokens(email.subject)));
  absl::StrAppend(&message, "Date: ",
                  absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", h.date, absl::UTCTimeZone()),
                  "\r\n");
  absl::StrAppend(&message, "Message-ID: ", h.message_id, "\r\n");
  absl::StrAppend(&message, "MIME-Version: 1.0\r\n");
  absl::StrAppend(&message, "Content-Type: multipart/alternative;\r\n boundary=\"", boundary,
                  "\"\r\n");
  absl::StrAppend(&message, "\r\n");
  absl::StrAppend(&message, Part(boundary, "text/plain", email.text));
  absl::StrAppend(&message, Part(boundary, "text/html", email.html));
  absl::StrAppend(&message, "--", boundary, "--\r\n");
  return message;
}

}  // namespace backinstock::email
