#include "server/email/email_template.h"

namespace backinstock::email {

v1::EmailTemplate DefaultEmailTemplate() {
  v1::EmailTemplate t;
  t.set_sender_name("Our store");
  t.set_subject("{{item.name}} is back in stock");
  t.set_heading("Good news: it's back!");
  t.set_body(
      "You asked us to let you know when {{item.name}} is available again. It is back in "
      "stock now, at {{item.price}}.\n\n"
      "Popular items sell out fast, so don't wait too long.");
  t.set_button_text("Shop now");
  t.set_footer(
      "You received this email because you asked to be notified when this item is back in "
      "stock. We will not email you about it again.");
  t.set_revision(0);
  return t;
}

absl::Status ValidateEmailTemplate(const v1::EmailTemplate& t) {
  return absl::UnimplementedError("ValidateEmailTemplate is not written yet");
}

}  // namespace backinstock::email
