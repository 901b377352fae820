// A gMock EmailConnection: build an EmailClient over it to test code that uses
// the client without a server.
//
//   auto mock = std::make_shared<MockEmailConnection>();
//   EXPECT_CALL(*mock, GetEmailTemplate).WillOnce(Return(response));
//   EmailClient client(mock);
#ifndef BACKINSTOCK_CLIENT_MOCKS_MOCK_EMAIL_CONNECTION_H_
#define BACKINSTOCK_CLIENT_MOCKS_MOCK_EMAIL_CONNECTION_H_

#include <gmock/gmock.h>

#include "backinstock/client/email_connection.h"

namespace backinstock::client::mocks {

class MockEmailConnection : public EmailConnection {
 public:
  MOCK_METHOD(absl::StatusOr<v1::GetEmailTemplateResponse>, GetEmailTemplate,
              (const v1::GetEmailTemplateRequest& request, const CallOptions& options), (override));
  MOCK_METHOD(absl::StatusOr<v1::UpdateEmailTemplateResponse>, UpdateEmailTemplate,
              (const v1::UpdateEmailTemplateRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::RenderEmailPreviewResponse>, RenderEmailPreview,
              (const v1::RenderEmailPreviewRequest& request, const CallOptions& options),
              (override));
  MOCK_METHOD(absl::StatusOr<v1::SendTestEmailResponse>, SendTestEmail,
              (const v1::SendTestEmailRequest& request, const CallOptions& options), (override));
};

}  // namespace backinstock::client::mocks

#endif  // BACKINSTOCK_CLIENT_MOCKS_MOCK_EMAIL_CONNECTION_H_
