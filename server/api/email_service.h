// The gRPC adaptor of BackInStockEmailService: admit, decode, call the
// domain, encode.
#ifndef BACKINSTOCK_SERVER_API_EMAIL_SERVICE_H_
#define BACKINSTOCK_SERVER_API_EMAIL_SERVICE_H_

#include "backinstock/v1/email.grpc.pb.h"
#include "server/api/work_queue.h"
#include "server/auth/gate.h"
#include "server/domain/email_preview.h"
#include "server/domain/email_template_manager.h"

namespace backinstock::api {

class EmailService final : public v1::BackInStockEmailService::CallbackService {
 public:
  // Everything passed in must outlive the service.
  // `blocking_writes`: where updates run when the store blocks on writes (a
  // journal, etcd); null runs them inline. `sends`: where test emails wait
  // for the relay (never null: an SMTP exchange takes seconds).
  EmailService(const auth::Gate* gate, domain::EmailTemplateManager* templates,
               const domain::TestEmailSender* test_sender, WorkQueue* sends,
               WorkQueue* blocking_writes = nullptr)
      : gate_(gate),
        templates_(templates),
        test_sender_(test_sender),
        sends_(sends),
        blocking_writes_(blocking_writes) {}

  grpc::ServerUnaryReactor* GetEmailTemplate(grpc::CallbackServerContext* context,
                                             const v1::GetEmailTemplateRequest* request,
                                             v1::GetEmailTemplateResponse* response) override;
  grpc::ServerUnaryReactor* UpdateEmailTemplate(grpc::CallbackServerContext* context,
                                                const v1::UpdateEmailTemplateRequest* request,
                                                v1::UpdateEmailTemplateResponse* response) override;
  grpc::ServerUnaryReactor* RenderEmailPreview(grpc::CallbackServerContext* context,
                                               const v1::RenderEmailPreviewRequest* request,
                                               v1::RenderEmailPreviewResponse* response) override;
  grpc::ServerUnaryReactor* SendTestEmail(grpc::CallbackServerContext* context,
                                          const v1::SendTestEmailRequest* request,
                                          v1::SendTestEmailResponse* response) override;

 private:
  const auth::Gate* gate_;
  domain::EmailTemplateManager* templates_;
  const domain::TestEmailSender* test_sender_;
  WorkQueue* sends_;
  WorkQueue* blocking_writes_;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_EMAIL_SERVICE_H_
