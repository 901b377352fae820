#include "server/email/mime_message.h"

namespace backinstock::email {

std::string MessageIdFor(absl::string_view request_id, absl::string_view mail_from) {
  return std::string();
}

absl::StatusOr<std::string> BuildMimeMessage(const RenderedEmail& email,
                                             const MessageHeaders& h) {
  return absl::UnimplementedError("BuildMimeMessage is not written yet");
}

}  // namespace backinstock::email
