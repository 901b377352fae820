// The token verifier, identity and elevation. Two kinds of input, chosen by
// the first byte:
//  - even: the rest is a token as received, verified against an HS256 secret
//    and an ES256 public key (exercises framing, base64url, header parsing,
//    key choice and both signature checks);
//  - odd: the rest is "<header JSON>\n<payload JSON>", signed here with the
//    HS256 key, so that the claim checks behind the signature are reached.
// Property: a token that verifies has claims within the documented bounds
// (dates included: issued by now, not expired, elevation lifetime <= 300 s).
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/time/time.h"
#include "fuzz/fuzz_input.h"
#include "server/auth/token_minter.h"
#include "server/auth/token_verifier.h"

namespace {

using backinstock::auth::KeySet;

constexpr char kSecret[] = "fuzzing-secret-of-at-least-32-bytes!";

std::string Es256PublicKeyPem() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

const KeySet& Keys() {
  static const KeySet* keys = new KeySet{{"k1", kSecret}, {"e1", Es256PublicKeyPem()}};
  return *keys;
}

// Issued no later than `now`, expiring after it, and not before the epoch.
bool DatesHold(int64_t iat, int64_t exp, int64_t now) {
  return iat >= 0 && iat <= now && exp > now;
}

void Verify(absl::string_view token) {
  const int64_t now_s = 1'700'000'000;
  const absl::Time now = absl::FromUnixSeconds(now_s);
  auto identity = backinstock::auth::VerifyIdentityToken(token, Keys(), now);
  if (identity.ok() && (!backinstock::auth::IsValidSiteId(identity->site) ||
                        identity->sub.empty() || !DatesHold(identity->iat, identity->exp, now_s))) {
    std::abort();
  }
  auto elevation = backinstock::auth::VerifyElevationToken(token, Keys(), now);
  if (elevation.ok()) {
    // Checked without overflow, whatever dates got through.
    int64_t lifetime = 0;
    if (!DatesHold(elevation->iat, elevation->exp, now_s) ||
        __builtin_sub_overflow(elevation->exp, elevation->iat, &lifetime) ||
        lifetime > backinstock::auth::kMaxElevationLifetimeSeconds ||
        !backinstock::auth::IsValidSiteId(elevation->site)) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  backinstock::fuzz::FuzzInput input(data, size);
  const bool sign = input.Bool();
  const absl::string_view rest = input.Rest();
  if (!sign) {
    Verify(rest);
    return 0;
  }
  const size_t newline = rest.find('\n');
  const absl::string_view header = rest.substr(0, newline);
  const absl::string_view payload =
      newline == absl::string_view::npos ? absl::string_view() : rest.substr(newline + 1);
  auto token = backinstock::auth::SignHs256(header, kSecret, payload);
  if (token.ok()) Verify(*token);
  return 0;
}
