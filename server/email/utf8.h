// UTF-8 as the template limits count it: Unicode code points of valid UTF-8.
#ifndef BACKINSTOCK_SERVER_EMAIL_UTF8_H_
#define BACKINSTOCK_SERVER_EMAIL_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::email {

// The number of code points in `text`, or nullopt when it is not valid UTF-8
// (overlong forms, surrogates, values above U+10FFFF and truncated sequences
// are invalid).
std::optional<size_t> CountCodePoints(absl::string_view text);

// `text` with each byte that is not part of a valid UTF-8 sequence replaced
// by U+FFFD.
std::string ToValidUtf8(absl::string_view text);

}  // namespace backinstock::email

#endif  // BACKINSTOCK_SERVER_EMAIL_UTF8_H_
