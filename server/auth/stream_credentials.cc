#include "server/auth/stream_credentials.h"

#include <algorithm>

#include "backinstock/errors/error.h"

namespace backinstock::auth {
namespace {

// True when `current` maps `kid` to the same key as `verified`.
bool SameKey(const KeySet& verified, const KeySet& current, const std::string& kid) {
  auto was = verified.find(kid);
  auto now = current.find(kid);
  return was != verified.end() && now != current.end() && was->second == now->second;
}

}  // namespace

StreamCredentials StreamCredentials::Of(const Decision& decision) {
  StreamCredentials credentials;
  credentials.verified_with_ = decision.keys;
  // A token is valid while now - skew < exp (token_verifier.cc).
  if (decision.identity) {
    credentials.identity_kid_ = decision.identity->kid;
    credentials.identity_expires_ =
        absl::FromUnixSeconds(decision.identity->exp) + decision.clock_skew;
  }
  if (decision.elevated && decision.elevation) {
    credentials.elevation_kid_ = decision.elevation->kid;
    credentials.elevation_expires_ =
        absl::FromUnixSeconds(decision.elevation->exp) + decision.clock_skew;
  }
  credentials.expires_ = std::min(credentials.identity_expires_, credentials.elevation_expires_);
  return credentials;
}

absl::Status StreamCredentials::CheckTime(absl::Time now) const {
  if (now >= identity_expires_) {
    return errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_EXPIRED",
                         "the identity token this stream was opened with has expired");
  }
  if (now >= elevation_expires_) {
    return errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_INVALID",
                         "the elevation token this stream needed has expired");
  }
  return absl::OkStatus();
}

absl::Status StreamCredentials::CheckKeys(const Keys& keys) const {
  if (verified_with_ == nullptr) return absl::OkStatus();
  if (!identity_kid_.empty() && !SameKey(verified_with_->identity, keys.identity, identity_kid_)) {
    return errors::Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID",
                         "the key that verified this stream's identity token was removed");
  }
  if (!elevation_kid_.empty() &&
      !SameKey(verified_with_->elevation, keys.elevation, elevation_kid_)) {
    return errors::Error(absl::StatusCode::kPermissionDenied, "ELEVATION_INVALID",
                         "the key that verified this stream's elevation token was removed");
  }
  return absl::OkStatus();
}

}  // namespace backinstock::auth
