// GUIDs as the API accepts them: 8-4-4-4-12 hex digits, any case.
#ifndef BACKINSTOCK_SERVER_DOMAIN_GUID_H_
#define BACKINSTOCK_SERVER_DOMAIN_GUID_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::domain {

inline constexpr size_t kGuidLength = 36;

// The GUID in lower case, or nullopt when `text` is not a GUID.
std::optional<std::string> NormalizeGuid(absl::string_view text);

// The same into `out` (kGuidLength bytes), without allocating: for paths that
// only hash or compare the result. False, with `out` unspecified, when `text`
// is not a GUID.
bool NormalizeGuidTo(absl::string_view text, char* out);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_GUID_H_
