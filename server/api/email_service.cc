#include "server/api/email_service.h"

#include "server/api/unary.h"

namespace backinstock::api {

grpc::ServerUnaryReactor* EmailService::GetEmailTemplate(grpc::CallbackServerContext* context,
                                                         const v1::GetEmailTemplateRequest* request,
                                                         v1::GetEmailTemplateResponse* response) {
  return Unary(*gate_, context, [this, response](const auth::Caller& caller) -> absl::Status {
    absl::StatusOr<v1::EmailTemplate> found = templates_->Get(caller.site);
    if (!found.ok()) return found.status();
    *response->mutable_template_() = *std::move(found);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EmailService::UpdateEmailTemplate(
    grpc::CallbackServerContext* context, const v1::UpdateEmailTemplateRequest* request,
    v1::UpdateEmailTemplateResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        domain::EmailTemplateUpdate update;
        update.email_template = request->template_();
        update.update_mask = request->update_mask();
        update.expected_revision = request->expected_revision();
        absl::StatusOr<v1::EmailTemplate> updated = templates_->Update(caller.site, update);
        if (!updated.ok()) return updated.status();
        *response->mutable_template_() = *std::move(updated);
        return absl::OkStatus();
      },
      Offload{blocking_writes_});
}

grpc::ServerUnaryReactor* EmailService::RenderEmailPreview(
    grpc::CallbackServerContext* context, const v1::RenderEmailPreviewRequest* request,
    v1::RenderEmailPreviewResponse* response) {
  // Rendering is CPU work bounded by the template limits: inline.
  return Unary(*gate_, context, [this, request, response](const auth::Caller& caller) {
    absl::StatusOr<email::RenderedEmail> rendered =
        domain::RenderEmailPreview(*templates_, caller.site, *request);
    if (!rendered.ok()) return rendered.status();
    response->set_subject(std::move(rendered->subject));
    response->set_html(std::move(rendered->html));
    response->set_text(std::move(rendered->text));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* EmailService::SendTestEmail(grpc::CallbackServerContext* context,
                                                      const v1::SendTestEmailRequest* request,
                                                      v1::SendTestEmailResponse* response) {
  return Unary(
      *gate_, context,
      [this, request, response](const auth::Caller& caller) -> absl::Status {
        absl::StatusOr<std::string> message_id = test_sender_->Send(caller.site, *request);
        if (!message_id.ok()) return message_id.status();
        response->set_message_id(*std::move(message_id));
        return absl::OkStatus();
      },
      Offload{sends_, "EMAIL_QUEUE_FULL"});
}

}  // namespace backinstock::api
