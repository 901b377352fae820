// GUIDs as the API accepts them: 8-4-4-4-12 hex digits, any case.
#ifndef BACKINSTOCK_SERVER_DOMAIN_GUID_H_
#define BACKINSTOCK_SERVER_DOMAIN_GUID_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::domain {

// The GUID in lower case, or nullopt when `text` is not a GUID.
std::optional<std::string> NormalizeGuid(absl::string_view text);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_GUID_H_
