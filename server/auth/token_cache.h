// Remembers tokens that verified, so that a caller who sends the same token on
// every call pays for the HMAC and the JSON parsing once, not per call.
//
// What makes a cached answer as good as a fresh verification:
// - The key is the exact token bytes: a token differing in any byte misses.
// - An entry belongs to the key set snapshot (Keys object) that verified it: a
//   key reload (SIGHUP) replaces the snapshot, and every older entry misses.
// - Only successes are stored; failures (bad signature, expired, `nbf` still
//   ahead, ...) are recomputed every time, so their errors stay exact.
// - The clock checks run again on every hit: an entry is used only while the
//   token has not expired (with the configured skew) and only at a time no
//   earlier than when it was verified, so that a clock stepping backwards
//   cannot revive an `nbf` or `iat` the verification relied on.
// - Size is bounded: expired entries are swept, then arbitrary ones evicted.
//
// A miss, or a hit that no longer holds, falls back to the full verifier,
// which also produces every error.
#ifndef BACKINSTOCK_SERVER_AUTH_TOKEN_CACHE_H_
#define BACKINSTOCK_SERVER_AUTH_TOKEN_CACHE_H_

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/auth/keys.h"
#include "server/auth/token_verifier.h"

namespace backinstock::auth {

// Claims is IdentityClaims or ElevationClaims (both carry `exp`).
template <typename Claims>
class VerifiedTokenCache {
 public:
  static constexpr size_t kDefaultCapacity = 16384;

  explicit VerifiedTokenCache(size_t capacity = kDefaultCapacity);

  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  // The claims `token` verified to under `keys`, if that is cached and the
  // clock checks still pass at `now`; nullopt otherwise.
  std::optional<Claims> Find(absl::string_view token, const std::shared_ptr<const Keys>& keys,
                             absl::Time now, const VerifierOptions& options) const;

  // Records that `token` verified to `claims` under `keys` at `now`.
  void Insert(absl::string_view token, const std::shared_ptr<const Keys>& keys,
              const Claims& claims, absl::Time now);

  // Entries held (expired ones included until swept).
  size_t size() const;

 private:
  struct Entry {
    std::weak_ptr<const Keys> keys;
    Claims claims;
    absl::Time verified_at;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
    absl::Time last_sweep ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(absl::string_view token) const;
  void MakeRoom(Shard& shard, absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const size_t shard_capacity_;
  mutable std::array<Shard, kShards> shards_;
};

extern template class VerifiedTokenCache<IdentityClaims>;
extern template class VerifiedTokenCache<ElevationClaims>;

// VerifyIdentityToken / VerifyElevationToken with `cache` in front: the same
// results, errors included, for the same arguments.
absl::StatusOr<IdentityClaims> VerifyIdentityTokenCached(VerifiedTokenCache<IdentityClaims>& cache,
                                                         absl::string_view token,
                                                         const std::shared_ptr<const Keys>& keys,
                                                         absl::Time now,
                                                         const VerifierOptions& options);
absl::StatusOr<ElevationClaims> VerifyElevationTokenCached(
    VerifiedTokenCache<ElevationClaims>& cache, absl::string_view token,
    const std::shared_ptr<const Keys>& keys, absl::Time now, const VerifierOptions& options);

// The process's caches, which the Authorizer uses. Entries never cross key
// set snapshots, so servers in one process (as in tests) cannot see each
// other's verifications.
VerifiedTokenCache<IdentityClaims>& SharedIdentityTokenCache();
VerifiedTokenCache<ElevationClaims>& SharedElevationTokenCache();

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_TOKEN_CACHE_H_
