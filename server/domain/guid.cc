#include "server/domain/guid.h"

namespace backinstock::domain {

bool NormalizeGuidTo(absl::string_view text, char* out) {
  if (text.size() != kGuidLength) return false;
  for (size_t i = 0; i < kGuidLength; ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else {
      if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    out[i] = c;
  }
  return true;
}

std::optional<std::string> NormalizeGuid(absl::string_view text) {
  if (text.size() != kGuidLength) return std::nullopt;
  std::string lower(kGuidLength, '\0');
  if (!NormalizeGuidTo(text, lower.data())) return std::nullopt;
  return lower;
}

}  // namespace backinstock::domain
