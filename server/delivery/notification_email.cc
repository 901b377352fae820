#include "server/delivery/notification_email.h"

#include "server/email/mime_message.h"
#include "server/email/renderer.h"

namespace backinstock::delivery {

absl::StatusOr<std::string> ComposeNotificationEmail(const domain::EmailTemplateManager& templates,
                                                     absl::string_view mail_from,
                                                     absl::string_view site,
                                                     const store::NotificationRequestRecord& record,
                                                     absl::Time date) {
  if (record.delivery == nullptr) {
    return absl::FailedPreconditionError("the request has no queued email");
  }
  absl::StatusOr<v1::EmailTemplate> stored = templates.Get(site);
  if (!stored.ok()) return stored.status();

  email::RenderInput input;
  input.email_template = *std::move(stored);
  input.item = record.delivery->item_details();
  input.item_url = record.request.item_url();
  input.customer_email = record.request.email();
  input.params.insert(record.delivery->template_parameters().begin(),
                      record.delivery->template_parameters().end());
  absl::StatusOr<email::RenderedEmail> rendered = email::RenderEmail(input);
  if (!rendered.ok()) return rendered.status();

  email::MessageHeaders headers;
  headers.from_address = std::string(mail_from);
  headers.sender_name = rendered->sender_name;
  headers.to = record.request.email();
  headers.reply_to = input.email_template.reply_to();
  headers.message_id = email::MessageIdFor(record.request.id(), mail_from);
  headers.date = date;
  return email::BuildMimeMessage(*rendered, headers);
}

}  // namespace backinstock::delivery
