// RenderEmailPreview and SendTestEmail without gRPC: the checks on the item a
// caller supplies, rendering with the given or the stored template, and a test
// send through the configured relay.
#ifndef BACKINSTOCK_SERVER_DOMAIN_EMAIL_PREVIEW_H_
#define BACKINSTOCK_SERVER_DOMAIN_EMAIL_PREVIEW_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backinstock/v1/email.pb.h"
#include "server/domain/email_template_manager.h"
#include "server/email/renderer.h"
#include "server/email/smtp_sender.h"

namespace backinstock::domain {

// The item a preview or test email shows: `item_details` required, with
// `name` and `price`, checked as a report's are; `item_url` empty or an
// http(s) URL. INVALID_ARGUMENT with a BadRequest on the field.
absl::Status ValidateEmailItem(bool has_item_details, const v1::BackInStockItemDetails& item,
                               absl::string_view item_url);

// Renders the request's template (validated as an update's result would be,
// errors on `template.<field>`), or the site's stored one when absent.
absl::StatusOr<email::RenderedEmail> RenderEmailPreview(
    const EmailTemplateManager& templates, absl::string_view site,
    const v1::RenderEmailPreviewRequest& request);

class TestEmailSender {
 public:
  // `sender` may be null (no relay configured); `mail_from` is the envelope
  // sender and From address. Both must outlive this object.
  TestEmailSender(const EmailTemplateManager* templates, email::MailSender* sender,
                  std::string mail_from)
      : templates_(templates), sender_(sender), mail_from_(std::move(mail_from)) {}

  // Renders the site's stored template for the request's item and sends it
  // to `to`, waiting for the relay's answer; returns the Message-ID.
  // FAILED_PRECONDITION, reason SMTP_NOT_CONFIGURED, without a relay; the
  // sender's errors (SMTP_UNAVAILABLE, SMTP_REJECTED) as they are.
  absl::StatusOr<std::string> Send(absl::string_view site,
                                   const v1::SendTestEmailRequest& request) const;

 private:
  const EmailTemplateManager* templates_;
  email::MailSender* sender_;
  const std::string mail_from_;
};

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_EMAIL_PREVIEW_H_
