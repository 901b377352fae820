#include "server/domain/email_preview.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "server/domain/notification_requests/ids.h"
#include "server/domain/notification_requests/validation.h"
#include "server/email/email_template.h"
#include "server/email/mime_message.h"

namespace backinstock::domain {

absl::Status ValidateEmailItem(bool has_item_details, const v1::BackInStockItemDetails& item,
                               absl::string_view item_url) {
  if (!has_item_details) return errors::InvalidField("item_details", "item_details is required");
  if (absl::Status details = ValidateItemDetails(item, "item_details"); !details.ok()) {
    return details;
  }
  if (!item_url.empty() && !IsHttpUrl(item_url)) {
    return errors::InvalidField(
        "item_url", absl::StrCat(errors::Quoted(item_url), " is not an http or https URL"));
  }
  return absl::OkStatus();
}

absl::StatusOr<email::RenderedEmail> RenderEmailPreview(
    const EmailTemplateManager& templates, absl::string_view site,
    const v1::RenderEmailPreviewRequest& request) {
  if (absl::Status item =
          ValidateEmailItem(request.has_item_details(), request.item_details(), request.item_url());
      !item.ok()) {
    return item;
  }
  if (absl::Status params =
          ValidateTemplateParameters(request.extra_automation_template_parameters());
      !params.ok()) {
    return params;
  }
  email::RenderInput input;
  if (request.has_template_()) {
    input.email_template = request.template_();
    input.email_template.clear_revision();
    if (absl::Status valid = email::ValidateEmailTemplate(input.email_template); !valid.ok()) {
      return PrefixFieldViolations(valid, "template");
    }
  } else {
    absl::StatusOr<v1::EmailTemplate> stored = templates.Get(site);
    if (!stored.ok()) return stored.status();
    input.email_template = *std::move(stored);
  }
  input.item = request.item_details();
  input.item_url = request.item_url();
  for (const auto& [key, value] : request.extra_automation_template_parameters()) {
    input.params.emplace(key, value);
  }
  absl::StatusOr<email::RenderedEmail> rendered = email::RenderEmail(input);
  if (!rendered.ok()) return PrefixFieldViolations(rendered.status(), "template");
  return rendered;
}

absl::StatusOr<std::string> TestEmailSender::Send(absl::string_view site,
                                                  const v1::SendTestEmailRequest& request) const {
  if (request.to().empty()) return errors::InvalidField("to", "to is required");
  if (!IsValidEmail(request.to())) {
    return errors::InvalidField(
        "to", absl::StrCat(errors::Quoted(request.to()), " is not an email address"));
  }
  if (absl::Status item =
          ValidateEmailItem(request.has_item_details(), request.item_details(), request.item_url());
      !item.ok()) {
    return item;
  }
  if (sender_ == nullptr) {
    return errors::Error(absl::StatusCode::kFailedPrecondition, "SMTP_NOT_CONFIGURED",
                         "this server has no mail relay: start it with --smtp_url and --mail_from");
  }
  absl::StatusOr<v1::EmailTemplate> stored = templates_->Get(site);
  if (!stored.ok()) return stored.status();

  email::RenderInput input;
  input.email_template = *std::move(stored);
  input.item = request.item_details();
  input.item_url = request.item_url();
  input.customer_email = request.to();
  absl::StatusOr<email::RenderedEmail> rendered = email::RenderEmail(input);
  if (!rendered.ok()) return PrefixFieldViolations(rendered.status(), "template");

  // A test email answers no request: a fresh id names it.
  absl::StatusOr<std::string> id = NewRequestId();
  if (!id.ok()) return id.status();
  email::MessageHeaders headers;
  headers.from_address = mail_from_;
  headers.sender_name = rendered->sender_name;
  headers.to = request.to();
  headers.reply_to = input.email_template.reply_to();
  headers.message_id = email::MessageIdFor(*id, mail_from_);
  headers.date = absl::Now();
  absl::StatusOr<std::string> message = email::BuildMimeMessage(*rendered, headers);
  if (!message.ok()) return message.status();
  if (absl::Status sent = sender_->Send(mail_from_, request.to(), *message); !sent.ok()) {
    return sent;
  }
  return headers.message_id;
}

}  // namespace backinstock::domain
