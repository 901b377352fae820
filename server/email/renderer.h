// Turns a template and one item into the email's subject, HTML part and text
// part: placeholders substituted once, every value escaped in the HTML.
#ifndef BACKINSTOCK_SERVER_EMAIL_RENDERER_H_
#define BACKINSTOCK_SERVER_EMAIL_RENDERER_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::email {

struct RenderInput {
  v1::EmailTemplate email_template;
  v1::BackInStockItemDetails item;
  std::string item_url;                       // may be empty
  std::string customer_email;                 // may be empty in a preview
  std::map<std::string, std::string> params;  // extra_automation_template_parameters
};

struct RenderedEmail {
  std::string subject;  // decoded text, one line
  std::string html;     // the text/html part
  std::string text;     // the text/plain part
  // The template's sender_name with its placeholders substituted: the From
  // display name (MessageHeaders::sender_name).
  std::string sender_name;
};

// Renders `input`. The template is validated first (the same errors as
// ValidateEmailTemplate), so a template stored before a rule changed can never
// produce a broken email.
absl::StatusOr<RenderedEmail> RenderEmail(const RenderInput& input);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_RENDERER_H_
