#include "server/email/smtp_sender.h"

namespace backinstock::email {

absl::Status ValidateSmtpConfig(const SmtpConfig& config) {
  return absl::UnimplementedError("ValidateSmtpConfig is not written yet");
}

absl::StatusOr<std::unique_ptr<MailSender>> MakeSmtpSender(const SmtpConfig& config) {
  return absl::UnimplementedError("MakeSmtpSender is not written yet");
}

}  // namespace backinstock::email
