// The transport under EmailClient: one virtual function per RPC of
// backinstock.v1.BackInStockEmailService. MakeEmailConnection() returns the
// gRPC one; tests of code that uses EmailClient substitute
// backinstock::client::mocks::MockEmailConnection.
#ifndef BACKINSTOCK_CLIENT_EMAIL_CONNECTION_H_
#define BACKINSTOCK_CLIENT_EMAIL_CONNECTION_H_

#include <grpcpp/channel.h>

#include <memory>

#include "absl/status/statusor.h"
#include "backinstock/client/options.h"
#include "backinstock/v1/email.pb.h"

namespace backinstock::client {

class EmailConnection {
 public:
  virtual ~EmailConnection() = default;

  virtual absl::StatusOr<v1::GetEmailTemplateResponse> GetEmailTemplate(
      const v1::GetEmailTemplateRequest& request, const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::UpdateEmailTemplateResponse> UpdateEmailTemplate(
      const v1::UpdateEmailTemplateRequest& request, const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::RenderEmailPreviewResponse> RenderEmailPreview(
      const v1::RenderEmailPreviewRequest& request, const CallOptions& options) = 0;
  virtual absl::StatusOr<v1::SendTestEmailResponse> SendTestEmail(
      const v1::SendTestEmailRequest& request, const CallOptions& options) = 0;
};

// A connection over a channel of its own.
std::shared_ptr<EmailConnection> MakeEmailConnection(ConnectionOptions options);

// A connection over `channel` (from MakeChannel(options), typically shared).
std::shared_ptr<EmailConnection> MakeEmailConnection(std::shared_ptr<grpc::Channel> channel,
                                                     ConnectionOptions options);

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_EMAIL_CONNECTION_H_
