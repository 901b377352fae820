#include "server/domain/guid.h"

namespace backinstock::domain {

std::optional<std::string> NormalizeGuid(absl::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string lower(text);
  for (size_t i = 0; i < lower.size(); ++i) {
    char& c = lower[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return lower;
}

}  // namespace backinstock::domain
