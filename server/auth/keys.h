// The keys that verify tokens, loaded from the keys file:
//   {"identity_keys": {"<kid>": "<base64url secret>"}, "elevation_keys": {...}}
// A key whose value is a PEM public key ("-----BEGIN PUBLIC KEY-----...", an
// EC P-256 key) verifies ES256 tokens instead, so that a deployment can keep
// the signing keys away from the service. Each key verifies exactly one
// algorithm: HS256 for secrets, ES256 for public keys.
// Identity and elevation keys are separate sets, so an identity token can never
// pass as an elevation token (or the other way round).
#ifndef BACKINSTOCK_SERVER_AUTH_KEYS_H_
#define BACKINSTOCK_SERVER_AUTH_KEYS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::auth {

// Verification keys by key id: an HMAC secret (raw bytes), or the PEM text
// of an ES256 public key (see IsPublicKeyPem).
using KeySet = absl::flat_hash_map<std::string, std::string>;

// True when a KeySet value is an ES256 public key rather than an HS256
// secret. Loaded secrets never look like this: ParseKeys refuses them.
bool IsPublicKeyPem(absl::string_view key);

struct Keys {
  KeySet identity;
  KeySet elevation;
  // The file says `"development_only": true`: the server warns loudly.
  bool development_only = false;
};

// Shortest accepted HS256 secret, in bytes.
inline constexpr size_t kMinSecretBytes = 32;

// Parses the keys file's contents. Every secret must be base64url (padding
// optional) of at least kMinSecretBytes bytes, and every public key a PEM EC
// P-256 public key; both sets must be objects, and the identity set must not
// be empty.
absl::StatusOr<Keys> ParseKeys(absl::string_view json);

// Reads and parses a keys file.
absl::StatusOr<Keys> LoadKeysFile(const std::string& path);

// The keys in force, replaceable while the server runs (for example on SIGHUP)
// without disturbing calls that already hold the previous set.
class KeyRing {
 public:
  explicit KeyRing(Keys keys) : keys_(std::make_shared<const Keys>(std::move(keys))) {}

  std::shared_ptr<const Keys> Current() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return keys_;
  }

  void Replace(Keys keys) ABSL_LOCKS_EXCLUDED(mu_) {
    auto next = std::make_shared<const Keys>(std::move(keys));
    absl::MutexLock lock(&mu_);
    keys_ = std::move(next);
  }

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Keys> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_KEYS_H_
