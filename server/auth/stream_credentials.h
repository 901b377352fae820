// What a long-lived stream's authorization rests on (docs/decisions.md, "Security and reliability,
// round 2"): the identity token, the elevation token when the stream needed it, and the keys that
// verified them. A stream is authorized for as long as these are: it ends
// when one expires, or when a key reload removes (or replaces) a key.
#ifndef BACKINSTOCK_SERVER_AUTH_STREAM_CREDENTIALS_H_
#define BACKINSTOCK_SERVER_AUTH_STREAM_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/auth/authorizer.h"
#include "server/auth/keys.h"

namespace backinstock::auth {

class StreamCredentials {
 public:
  // Credentials that never lapse (for streams admitted without tokens, as in
  // tests of the stream machinery itself).
  StreamCredentials() = default;

  // The credentials of an admitted call. An elevation that was verified but
  // not needed (the role held the permission) is not part of them.
  static StreamCredentials Of(const Decision& decision);

  // The first moment the stream is no longer authorized by the clock
  // (InfiniteFuture when nothing expires).
  absl::Time expires() const { return expires_; }

  // OK while `now` is before expires(); else the error the stream ends with:
  // UNAUTHENTICATED / TOKEN_EXPIRED for the identity token, PERMISSION_DENIED
  // / ELEVATION_INVALID for the elevation.
  absl::Status CheckTime(absl::Time now) const;

  // OK while `keys` still holds, under the same ids, the very keys that
  // verified the tokens; else UNAUTHENTICATED / TOKEN_INVALID (identity key)
  // or PERMISSION_DENIED / ELEVATION_INVALID (elevation key).
  absl::Status CheckKeys(const Keys& keys) const;

 private:
  std::shared_ptr<const Keys> verified_with_;
  std::string identity_kid_;   // empty: no identity to check
  std::string elevation_kid_;  // empty: no elevation the stream needed
  absl::Time identity_expires_ = absl::InfiniteFuture();
  absl::Time elevation_expires_ = absl::InfiniteFuture();
  absl::Time expires_ = absl::InfiniteFuture();
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_STREAM_CREDENTIALS_H_
