#include "server/domain/write_retry.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::domain {

absl::Status KeptChanging(absl::string_view subject, absl::string_view key,
                          absl::string_view value) {
  const std::string message = absl::StrCat(subject, " kept changing under this call; try again");
  if (key.empty()) {
    return errors::Error(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION", message);
  }
  return errors::Error(absl::StatusCode::kAborted, "CONCURRENT_MODIFICATION", message,
                       {{key, value}});
}

}  // namespace backinstock::domain
