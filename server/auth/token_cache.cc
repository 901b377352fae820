#include "server/auth/token_cache.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace backinstock::auth {
namespace {

// Full sweeps of expired entries at most this often per shard; in between, a
// full shard evicts an arbitrary entry.
constexpr absl::Duration kSweepInterval = absl::Seconds(1);

// True when `entry` and `current` refer to the same Keys object. Comparing
// control blocks (not addresses) cannot mistake a new snapshot for a freed one.
bool SameSnapshot(const std::weak_ptr<const Keys>& entry,
                  const std::shared_ptr<const Keys>& current) {
  return !entry.owner_before(current) && !current.owner_before(entry);
}

// The verifier's time checks, re-applied to a verification made at
// `verified_at`: not expired (same rule and skew as VerifyIdentityToken), and
// not earlier than the verification, whose `nbf` / `iat` checks then still hold.
bool StillValid(absl::Time verified_at, int64_t exp, absl::Time now,
                const VerifierOptions& options) {
  if (now < verified_at) return false;
  return absl::ToUnixSeconds(now) - absl::ToInt64Seconds(options.clock_skew) < exp;
}

}  // namespace

template <typename Claims>
VerifiedTokenCache<Claims>::VerifiedTokenCache(size_t capacity)
    : shard_capacity_(std::max<size_t>(1, capacity / kShards)) {}

template <typename Claims>
typename VerifiedTokenCache<Claims>::Shard& VerifiedTokenCache<Claims>::ShardFor(
    absl::string_view token) const {
  return shards_[absl::Hash<absl::string_view>{}(token) % kShards];
}

template <typename Claims>
std::optional<Claims> VerifiedTokenCache<Claims>::Find(absl::string_view token,
                                                       const std::shared_ptr<const Keys>& keys,
                                                       absl::Time now,
                                                       const VerifierOptions& options) const {
  Shard& shard = ShardFor(token);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(token);
  if (it == shard.entries.end()) return std::nullopt;
  const Entry& entry = it->second;
  if (!SameSnapshot(entry.keys, keys)) return std::nullopt;
  if (!StillValid(entry.verified_at, entry.claims.exp, now, options)) return std::nullopt;
  return entry.claims;
}

template <typename Claims>
void VerifiedTokenCache<Claims>::Insert(absl::string_view token,
                                        const std::shared_ptr<const Keys>& keys,
                                        const Claims& claims, absl::Time now) {
  Shard& shard = ShardFor(token);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(token);
  if (it != shard.entries.end()) {
    it->second = Entry{keys, claims, now};
    return;
  }
  if (shard.entries.size() >= shard_capacity_) MakeRoom(shard, now);
  shard.entries.emplace(std::string(token), Entry{keys, claims, now});
}

template <typename Claims>
void VerifiedTokenCache<Claims>::MakeRoom(Shard& shard, absl::Time now) const {
  if (now - shard.last_sweep >= kSweepInterval) {
    shard.last_sweep = now;
    const int64_t now_s = absl::ToUnixSeconds(now);
    absl::erase_if(shard.entries, [now_s](const auto& item) {
      return now_s >= item.second.claims.exp || item.second.keys.expired();
    });
  }
  // Hash order is as good as random: no bookkeeping on the hit path.
  while (shard.entries.size() >= shard_capacity_) shard.entries.erase(shard.entries.begin());
}

template <typename Claims>
size_t VerifiedTokenCache<Claims>::size() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.entries.size();
  }
  return total;
}

template class VerifiedTokenCache<IdentityClaims>;
template class VerifiedTokenCache<ElevationClaims>;

absl::StatusOr<IdentityClaims> VerifyIdentityTokenCached(VerifiedTokenCache<IdentityClaims>& cache,
                                                         absl::string_view token,
                                                         const std::shared_ptr<const Keys>& keys,
                                                         absl::Time now,
                                                         const VerifierOptions& options) {
  // Moved out, not copied: the claims hold strings, and this runs on every call.
  if (std::optional<IdentityClaims> hit = cache.Find(token, keys, now, options)) {
    return *std::move(hit);
  }
  absl::StatusOr<IdentityClaims> claims = VerifyIdentityToken(token, keys->identity, now, options);
  if (claims.ok()) cache.Insert(token, keys, *claims, now);
  return claims;
}

absl::StatusOr<ElevationClaims> VerifyElevationTokenCached(
    VerifiedTokenCache<ElevationClaims>& cache, absl::string_view token,
    const std::shared_ptr<const Keys>& keys, absl::Time now, const VerifierOptions& options) {
  if (std::optional<ElevationClaims> hit = cache.Find(token, keys, now, options)) {
    return *std::move(hit);
  }
  absl::StatusOr<ElevationClaims> claims =
      VerifyElevationToken(token, keys->elevation, now, options);
  if (claims.ok()) cache.Insert(token, keys, *claims, now);
  return claims;
}

VerifiedTokenCache<IdentityClaims>& SharedIdentityTokenCache() {
  static auto* cache = new VerifiedTokenCache<IdentityClaims>();
  return *cache;
}

VerifiedTokenCache<ElevationClaims>& SharedElevationTokenCache() {
  // Elevation tokens live at most 300 s and are fewer than callers.
  static auto* cache = new VerifiedTokenCache<ElevationClaims>(4096);
  return *cache;
}

}  // namespace backinstock::auth
