// The email of one queued request: the site's current template rendered for
// the item the report described, addressed to the request's email, with the
// Message-ID derived from the request id (a second copy after a crash carries
// the same one).
#ifndef BACKINSTOCK_SERVER_DELIVERY_NOTIFICATION_EMAIL_H_
#define BACKINSTOCK_SERVER_DELIVERY_NOTIFICATION_EMAIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/domain/email_template_manager.h"
#include "server/store/notification_request_store.h"

namespace backinstock::delivery {

// The whole RFC 5322 message. UNAVAILABLE when the template cannot be read
// (worth retrying); any other error when the email cannot be made at all.
absl::StatusOr<std::string> ComposeNotificationEmail(const domain::EmailTemplateManager& templates,
                                                     absl::string_view mail_from,
                                                     absl::string_view site,
                                                     const store::NotificationRequestRecord& record,
                                                     absl::Time date);

}  // namespace backinstock::delivery

#endif  // BACKINSTOCK_SERVER_DELIVERY_NOTIFICATION_EMAIL_H_
