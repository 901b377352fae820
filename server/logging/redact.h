// Email addresses never reach the server log: every line's message and text
// fields pass through here. Error texts from outside (an SMTP relay's answer
// such as "550 <someone@example.com>: no such user", an etcd or file error)
// may carry one, and a customer's address is personal data (docs/operations.md,
// "Personal data").
#ifndef BACKINSTOCK_SERVER_LOGGING_REDACT_H_
#define BACKINSTOCK_SERVER_LOGGING_REDACT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::logging {

inline constexpr absl::string_view kRedactedEmail = "[email]";

// `text` with every word that holds an '@' (a run of characters between
// spaces, quotes, angle brackets, parentheses, commas or semicolons) replaced
// by kRedactedEmail: whatever the address looks like, valid or not, none of
// it is kept. Text without '@' comes back unchanged.
std::string RedactEmails(absl::string_view text);
// The same, appended to `out`: no allocation for text without '@' (the call
// log writes a line per call).
void AppendRedactingEmails(absl::string_view text, std::string* out);

}  // namespace backinstock::logging

#endif  // BACKINSTOCK_SERVER_LOGGING_REDACT_H_
