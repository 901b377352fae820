// Hands a finished message to a mail relay over SMTP (libcurl).
#ifndef BACKINSTOCK_SERVER_EMAIL_SMTP_SENDER_H_
#define BACKINSTOCK_SERVER_EMAIL_SMTP_SENDER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace backinstock::email {

// The relay (the --smtp_* flags, docs/operations.md). An empty `url` means no relay is configured.
struct SmtpConfig {
  std::string url;                         // smtp://host:port or smtps://host:port
  std::string starttls = "opportunistic";  // off | opportunistic | required
  std::string username;
  std::string password;                        // read from --smtp_password_file
  std::string mail_from;                       // envelope sender and From address
  absl::Duration timeout = absl::Seconds(30);  // a whole exchange; connecting gets at most 10s
};

// Checks a config as the server does at startup: url scheme, starttls value,
// mail_from required and an email address when url is set.
absl::Status ValidateSmtpConfig(const SmtpConfig& config);

// An interface: part 2 adds a Maildir writer behind it.
class MailSender {
 public:
  virtual ~MailSender() = default;
  // Sends one complete RFC 5322 message. OK once the relay accepted it (2xx
  // after DATA).
  // UNAVAILABLE, reason SMTP_UNAVAILABLE: connection refused or dropped,
  // timeout, 4xx (temporary).
  // FAILED_PRECONDITION, reason SMTP_REJECTED, metadata smtpCode: a permanent
  // 5xx.
  virtual absl::Status Send(absl::string_view envelope_from, absl::string_view recipient,
                            absl::string_view message) = 0;
};

// A sender over one reusable libcurl handle (calls are serialised).
// INVALID_ARGUMENT when `config` does not pass ValidateSmtpConfig.
absl::StatusOr<std::unique_ptr<MailSender>> MakeSmtpSender(const SmtpConfig& config);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_SMTP_SENDER_H_
