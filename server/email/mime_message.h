// The RFC 5322 message a relay receives: headers (RFC 2047 encoded words where
// needed) and a multipart/alternative body of the text and HTML parts.
#ifndef BACKINSTOCK_SERVER_EMAIL_MIME_MESSAGE_H_
#define BACKINSTOCK_SERVER_EMAIL_MIME_MESSAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/email/renderer.h"

namespace backinstock::email {

struct MessageHeaders {
  std::string from_address;  // --mail_from
  std::string sender_name;   // display name: RenderedEmail::sender_name
  std::string to;
  std::string reply_to;    // may be empty
  std::string message_id;  // "<id@domain>", see MessageIdFor
  absl::Time date;
};

// "<REQUEST_ID@MAIL_DOMAIN>", MAIL_DOMAIN being the domain of `mail_from`.
// Bytes of `request_id` outside RFC 5322's dot-atom text are dropped, so the
// same request always gets the same, well-formed id.
std::string MessageIdFor(absl::string_view request_id, absl::string_view mail_from);

// The complete message with CRLF line ends. INVALID_ARGUMENT when an address
// is not an email address or a header input holds CR or LF.
absl::StatusOr<std::string> BuildMimeMessage(const RenderedEmail& email, const MessageHeaders& h);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_MIME_MESSAGE_H_
