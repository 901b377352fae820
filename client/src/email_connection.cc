#include "backinstock/client/email_connection.h"

#include <memory>
#include <utility>

#include "backinstock/client/channel.h"
#include "backinstock/v1/email.grpc.pb.h"
#include "client/src/unary_call.h"

namespace backinstock::client {
namespace {

using Service = v1::BackInStockEmailService;

class GrpcEmailConnection final : public EmailConnection {
 public:
  GrpcEmailConnection(std::shared_ptr<grpc::Channel> channel, ConnectionOptions options)
      : stub_(Service::NewStub(std::move(channel))), options_(std::move(options)) {}

  absl::StatusOr<v1::GetEmailTemplateResponse> GetEmailTemplate(
      const v1::GetEmailTemplateRequest& request, const CallOptions& call) override {
    return internal::UnaryCall<v1::GetEmailTemplateResponse>(
        options_, call, [&](grpc::ClientContext* context, v1::GetEmailTemplateResponse* response) {
          return stub_->GetEmailTemplate(context, request, response);
        });
  }

  absl::StatusOr<v1::UpdateEmailTemplateResponse> UpdateEmailTemplate(
      const v1::UpdateEmailTemplateRequest& request, const CallOptions& call) override {
    return internal::UnaryCall<v1::UpdateEmailTemplateResponse>(
        options_, call,
        [&](grpc::ClientContext* context, v1::UpdateEmailTemplateResponse* response) {
          return stub_->UpdateEmailTemplate(context, request, response);
        });
  }

  absl::StatusOr<v1::RenderEmailPreviewResponse> RenderEmailPreview(
      const v1::RenderEmailPreviewRequest& request, const CallOptions& call) override {
    return internal::UnaryCall<v1::RenderEmailPreviewResponse>(
        options_, call,
        [&](grpc::ClientContext* context, v1::RenderEmailPreviewResponse* response) {
          return stub_->RenderEmailPreview(context, request, response);
        });
  }

  absl::StatusOr<v1::SendTestEmailResponse> SendTestEmail(const v1::SendTestEmailRequest& request,
                                                          const CallOptions& call) override {
    return internal::UnaryCall<v1::SendTestEmailResponse>(
        options_, call, [&](grpc::ClientContext* context, v1::SendTestEmailResponse* response) {
          return stub_->SendTestEmail(context, request, response);
        });
  }

 private:
  std::unique_ptr<Service::Stub> stub_;
  const ConnectionOptions options_;
};

}  // namespace

std::shared_ptr<EmailConnection> MakeEmailConnection(ConnectionOptions options) {
  std::shared_ptr<grpc::Channel> channel = MakeChannel(options);
  return MakeEmailConnection(std::move(channel), std::move(options));
}

std::shared_ptr<EmailConnection> MakeEmailConnection(std::shared_ptr<grpc::Channel> channel,
                                                     ConnectionOptions options) {
  return std::make_shared<GrpcEmailConnection>(std::move(channel), std::move(options));
}

}  // namespace backinstock::client
