// The site's notification email design: the default template and the checks
// every stored or previewed template passes (email.proto).
#ifndef BACKINSTOCK_SERVER_EMAIL_EMAIL_TEMPLATE_H_
#define BACKINSTOCK_SERVER_EMAIL_EMAIL_TEMPLATE_H_

#include <cstddef>

#include "absl/status/status.h"
#include "backinstock/v1/email.pb.h"

namespace backinstock::email {

// Limits in Unicode code points (email.proto).
inline constexpr size_t kMaxSenderNameChars = 100;
inline constexpr size_t kMaxSubjectChars = 200;
inline constexpr size_t kMaxHeadingChars = 200;
inline constexpr size_t kMaxButtonTextChars = 50;
inline constexpr size_t kMaxBodyChars = 5000;
inline constexpr size_t kMaxFooterChars = 1000;
// Not in the API contract: a logo address longer than this is not a logo.
inline constexpr size_t kMaxLogoUrlChars = 2048;

// ErrorInfo reasons of ValidateEmailTemplate.
inline constexpr char kReasonTooLong[] = "VALUE_TOO_LONG";
inline constexpr char kReasonInvalidText[] = "INVALID_TEXT";  // invalid UTF-8, control characters
inline constexpr char kReasonLineBreak[] = "LINE_BREAK_NOT_ALLOWED";
inline constexpr char kReasonInvalidEmail[] = "INVALID_EMAIL";
inline constexpr char kReasonInvalidColor[] = "INVALID_COLOR";
inline constexpr char kReasonInvalidUrl[] = "INVALID_URL";
inline constexpr char kReasonInvalidTemplate[] = "INVALID_TEMPLATE";

// The template of a site that never changed it: revision 0 and the default
// texts documented in proto/backinstock/v1/email.proto.
v1::EmailTemplate DefaultEmailTemplate();

// Checks every field of a complete template (limits, CR/LF, reply_to,
// brand_color, logo_url, placeholders). INVALID_ARGUMENT with a BadRequest
// field violation naming the field by its proto name ("subject"; the caller may
// prefix it); reason INVALID_TEMPLATE for placeholder errors (metadata `field`
// and `placeholder`), a limit reason otherwise. `revision` is not checked.
absl::Status ValidateEmailTemplate(const v1::EmailTemplate& t);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_EMAIL_TEMPLATE_H_
