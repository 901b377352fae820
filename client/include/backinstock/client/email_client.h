// EmailClient: the design of the email a site's customers get when an item is
// back in stock (backinstock.v1.BackInStockEmailService): read and update the
// template, preview it, send a test.
//
//   auto client = EmailClient(MakeEmailConnection(options));
//   v1::EmailTemplate values;
//   values.set_subject("{{item.name}} is back!");
//   auto updated = client.UpdateEmailTemplate(values, {"subject"});
//   if (!updated.ok()) std::cerr << ErrorReason(updated.status());
//
// Every method needs ECOM.MANAGE_BACK_IN_STOCK_EMAIL: a `user` or `app` role,
// or an elevation token that grants it. A cheap value type: copies share the
// connection, and are safe to use from several threads at once.
#ifndef BACKINSTOCK_CLIENT_EMAIL_CLIENT_H_
#define BACKINSTOCK_CLIENT_EMAIL_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backinstock/client/email_connection.h"
#include "backinstock/client/options.h"
#include "backinstock/v1/email.pb.h"

namespace backinstock::client {

class EmailClient {
 public:
  explicit EmailClient(std::shared_ptr<EmailConnection> connection)
      : connection_(std::move(connection)) {}

  // The site's template (the default, revision 0, until it is first changed).
  absl::StatusOr<v1::GetEmailTemplateResponse> GetEmailTemplate(const CallOptions& options = {});
  absl::StatusOr<v1::GetEmailTemplateResponse> GetEmailTemplate(
      const v1::GetEmailTemplateRequest& request, const CallOptions& options = {});

  // Sets the fields named in `paths` (proto or JSON names) to their values in
  // `values`. With `expected_revision` other than 0, only if the stored
  // template is still at that revision (else ABORTED, REVISION_MISMATCH).
  absl::StatusOr<v1::UpdateEmailTemplateResponse> UpdateEmailTemplate(
      const v1::EmailTemplate& values, const std::vector<std::string>& paths,
      int64_t expected_revision = 0, const CallOptions& options = {});
  absl::StatusOr<v1::UpdateEmailTemplateResponse> UpdateEmailTemplate(
      const v1::UpdateEmailTemplateRequest& request, const CallOptions& options = {});

  // The email as a customer would get it for `request.item_details`, from
  // `request.template` or, when absent, the stored template.
  absl::StatusOr<v1::RenderEmailPreviewResponse> RenderEmailPreview(
      const v1::RenderEmailPreviewRequest& request, const CallOptions& options = {});

  // Sends the stored template to `request.to` through the server's relay and
  // waits for the relay's answer. Never retried (a resend is a second email).
  absl::StatusOr<v1::SendTestEmailResponse> SendTestEmail(const v1::SendTestEmailRequest& request,
                                                          const CallOptions& options = {});

  friend bool operator==(const EmailClient& a, const EmailClient& b) {
    return a.connection_ == b.connection_;
  }
  friend bool operator!=(const EmailClient& a, const EmailClient& b) { return !(a == b); }

 private:
  std::shared_ptr<EmailConnection> connection_;
};

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_EMAIL_CLIENT_H_
