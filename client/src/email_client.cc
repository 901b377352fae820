#include "backinstock/client/email_client.h"

namespace backinstock::client {

absl::StatusOr<v1::GetEmailTemplateResponse> EmailClient::GetEmailTemplate(
    const CallOptions& options) {
  return connection_->GetEmailTemplate(v1::GetEmailTemplateRequest(), options);
}

absl::StatusOr<v1::GetEmailTemplateResponse> EmailClient::GetEmailTemplate(
    const v1::GetEmailTemplateRequest& request, const CallOptions& options) {
  return connection_->GetEmailTemplate(request, options);
}

absl::StatusOr<v1::UpdateEmailTemplateResponse> EmailClient::UpdateEmailTemplate(
    const v1::EmailTemplate& values, const std::vector<std::string>& paths,
    int64_t expected_revision, const CallOptions& options) {
  v1::UpdateEmailTemplateRequest request;
  *request.mutable_template_() = values;
  for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
  request.set_expected_revision(expected_revision);
  return connection_->UpdateEmailTemplate(request, options);
}

absl::StatusOr<v1::UpdateEmailTemplateResponse> EmailClient::UpdateEmailTemplate(
    const v1::UpdateEmailTemplateRequest& request, const CallOptions& options) {
  return connection_->UpdateEmailTemplate(request, options);
}

absl::StatusOr<v1::RenderEmailPreviewResponse> EmailClient::RenderEmailPreview(
    const v1::RenderEmailPreviewRequest& request, const CallOptions& options) {
  return connection_->RenderEmailPreview(request, options);
}

absl::StatusOr<v1::SendTestEmailResponse> EmailClient::SendTestEmail(
    const v1::SendTestEmailRequest& request, const CallOptions& options) {
  return connection_->SendTestEmail(request, options);
}

}  // namespace backinstock::client
