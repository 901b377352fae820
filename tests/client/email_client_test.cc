// EmailClient against the real service in process (every RPC, errors decoded
// with their reasons and fields), and over the gMock connection.
#include "backinstock/client/email_client.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "backinstock/client/error.h"
#include "backinstock/client/mocks/mock_email_connection.h"
#include "server/auth/permissions.h"
#include "tests/client/client_test_util.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

using client::EmailClient;
using ::testing::_;
using ::testing::Return;

class EmailClientTest : public ::testing::Test {
 protected:
  EmailClient Client(const std::string& site, const std::string& role) {
    return EmailClient(
        client::MakeEmailConnection(OptionsFor(server_.address(), IdentityToken(site, role))));
  }

  TestServer server_;
};

TEST_F(EmailClientTest, ReadsUpdatesPreviewsAndSends) {
  EmailClient client = Client("client-shop", "user");
  auto initial = client.GetEmailTemplate();
  ASSERT_TRUE(initial.ok()) << initial.status();
  EXPECT_EQ(initial->template_().revision(), 0);

  v1::EmailTemplate values;
  values.set_subject("Hey, {{item.name}}");
  auto updated = client.UpdateEmailTemplate(values, {"subject"}, 0);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->template_().revision(), 1);
  EXPECT_THAT(client.UpdateEmailTemplate(values, {"subject"}, 5),
              FailsWith(absl::StatusCode::kAborted, "REVISION_MISMATCH"));

  v1::RenderEmailPreviewRequest preview;
  preview.mutable_item_details()->set_name("Kettle");
  preview.mutable_item_details()->set_price("30");
  auto rendered = client.RenderEmailPreview(preview);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  EXPECT_EQ(rendered->subject(), "Hey, Kettle");
  EXPECT_TRUE(absl::StrContains(rendered->html(), "Kettle"));

  v1::SendTestEmailRequest send;
  send.set_to("me@example.com");
  *send.mutable_item_details() = preview.item_details();
  EXPECT_THAT(client.SendTestEmail(send),
              FailsWith(absl::StatusCode::kFailedPrecondition, "SMTP_NOT_CONFIGURED"));
}

TEST_F(EmailClientTest, AVisitorNeedsElevation) {
  EXPECT_THAT(Client("client-shop", "visitor").GetEmailTemplate(),
              FailsWith(absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED"));
  client::CallOptions elevated;
  elevated.elevation_token = ElevationToken("client-shop", {std::string(auth::kEmailManage)});
  EXPECT_TRUE(Client("client-shop", "visitor").GetEmailTemplate(elevated).ok());
}

TEST(EmailClientMockTest, CodeUsingTheClientCanBeTestedWithoutAServer) {
  auto mock = std::make_shared<client::mocks::MockEmailConnection>();
  v1::GetEmailTemplateResponse response;
  response.mutable_template_()->set_subject("From the mock");
  EXPECT_CALL(*mock, GetEmailTemplate(_, _)).WillOnce(Return(response));
  EXPECT_CALL(*mock, UpdateEmailTemplate(_, _))
      .WillOnce([](const v1::UpdateEmailTemplateRequest& request, const client::CallOptions&) {
        EXPECT_EQ(request.update_mask().paths_size(), 2);
        EXPECT_EQ(request.expected_revision(), 3);
        return absl::StatusOr<v1::UpdateEmailTemplateResponse>(absl::AbortedError("conflict"));
      });
  EmailClient client(mock);
  EXPECT_EQ(client.GetEmailTemplate()->template_().subject(), "From the mock");
  EXPECT_EQ(
      client.UpdateEmailTemplate(v1::EmailTemplate(), {"subject", "heading"}, 3).status().code(),
      absl::StatusCode::kAborted);
}

}  // namespace
}  // namespace backinstock::testing
