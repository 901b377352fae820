#include "server/domain/notification_requests/ids.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::domain {
namespace {

using UuidBytes = std::array<uint8_t, 16>;

// This service's UUIDv5 namespace (itself a random UUID, fixed forever: changing
// it would change every contact id).
constexpr UuidBytes kContactNamespace = {0x6f, 0x1c, 0x2a, 0x4e, 0x93, 0x0b, 0x4d, 0x57,
                                         0xa8, 0x3e, 0x51, 0xc9, 0x7d, 0x20, 0xb4, 0x16};

// Sets the version nibble and the RFC 4122 variant bits.
void Stamp(UuidBytes& bytes, uint8_t version) {
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | (version << 4));
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);
}

std::string Format(const UuidBytes& bytes) {
  const std::string hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20, 12));
}

}  // namespace

absl::StatusOr<std::string> NewRequestId() {
  UuidBytes bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return errors::Error(absl::StatusCode::kInternal, "RANDOM_SOURCE_FAILED",
                         "the random number generator failed to produce a request id");
  }
  Stamp(bytes, 4);
  return Format(bytes);
}

std::string ContactId(absl::string_view site, absl::string_view email) {
  const std::string name =
      absl::StrCat(absl::string_view(reinterpret_cast<const char*>(kContactNamespace.data()),
                                     kContactNamespace.size()),
                   site, ":", absl::AsciiStrToLower(email));
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest);
  UuidBytes bytes;
  std::copy(digest, digest + bytes.size(), bytes.begin());
  Stamp(bytes, 5);
  return Format(bytes);
}

}  // namespace backinstock::domain
