#include "server/domain/notification_requests/ids.h"

// The plain SHA-1 functions are deprecated in OpenSSL 3 (see ContactId).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
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

// 8-4-4-4-12 lower-case hex digits, written in place.
std::string Format(const UuidBytes& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(36, '-');
  size_t at = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (at == 8 || at == 13 || at == 18 || at == 23) ++at;  // past a dash
    text[at++] = kDigits[bytes[i] >> 4];
    text[at++] = kDigits[bytes[i] & 0x0f];
  }
  return text;
}

// Fills `out` from OpenSSL's CSPRNG. RAND_bytes costs several microseconds a
// call whatever the length (its DRBG sets up its cipher each time: 6% of a
// create's CPU when every id drew its own 16 bytes), so each thread draws 4 KiB
// at once and hands them out in order, each byte once. The bytes are the
// CSPRNG's all the same. (A process that forked would hand its children the
// same pool; this one never forks.)
bool RandomBytes(uint8_t* out, size_t count) {
  struct Pool {
    std::array<uint8_t, 4096> bytes;
    size_t used = sizeof(bytes);
  };
  thread_local Pool pool;
  if (count > pool.bytes.size()) return false;
  if (pool.bytes.size() - pool.used < count) {
    if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) != 1) return false;
    pool.used = 0;
  }
  std::memcpy(out, pool.bytes.data() + pool.used, count);
  pool.used += count;
  return true;
}

}  // namespace

absl::StatusOr<std::string> NewRequestId() {
  UuidBytes bytes;
  if (!RandomBytes(bytes.data(), bytes.size())) {
    return errors::Error(absl::StatusCode::kInternal, "RANDOM_SOURCE_FAILED",
                         "the random number generator failed to produce a request id");
  }
  Stamp(bytes, 4);
  return Format(bytes);
}

std::string ContactId(absl::string_view site, absl::string_view email) {
  // The plain SHA-1 functions, as catalog_key.cc does for SHA-256: OpenSSL
  // 3's SHA1() and EVP digests allocate a context and look the algorithm up in
  // its providers on every call (3% of a create's CPU), these do neither.
  const std::string lower_email = absl::AsciiStrToLower(email);
  SHA_CTX context;
  SHA1_Init(&context);
  SHA1_Update(&context, kContactNamespace.data(), kContactNamespace.size());
  SHA1_Update(&context, site.data(), site.size());
  SHA1_Update(&context, ":", 1);
  SHA1_Update(&context, lower_email.data(), lower_email.size());
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1_Final(digest, &context);
  UuidBytes bytes;
  std::copy(digest, digest + bytes.size(), bytes.begin());
  Stamp(bytes, 5);
  return Format(bytes);
}

}  // namespace backinstock::domain
