#include "server/auth/token_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "server/auth/authorizer.h"
#include "server/auth/method_permissions.h"
#include "tests/support/test_keys.h"

namespace backinstock::auth {
namespace {

using ::backinstock::testing::ElevationClaimsJson;
using ::backinstock::testing::IdentityClaimsJson;
using ::backinstock::testing::SignElevation;
using ::backinstock::testing::SignIdentity;
using ::backinstock::testing::TestKeys;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

std::shared_ptr<const Keys> Snapshot() { return std::make_shared<const Keys>(TestKeys()); }

// A token valid from kNow for `lifetime`.
std::string Identity(const std::string& site, absl::Duration lifetime = absl::Hours(1)) {
  nlohmann::json claims = IdentityClaimsJson(site, "visitor", "alice", kNow);
  claims["exp"] = absl::ToUnixSeconds(kNow + lifetime);
  return SignIdentity(claims);
}

IdentityClaims FakeClaims(const std::string& site, absl::Time exp) {
  return IdentityClaims{
      "sub-" + site, site, Role::kApp, absl::ToUnixSeconds(kNow), absl::ToUnixSeconds(exp),
      /*kid=*/""};
}

TEST(TokenCache, CachesASuccessfulVerification) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  const std::string token = Identity("site-1");
  auto first = VerifyIdentityTokenCached(cache, token, keys, kNow, {});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(cache.size(), 1u);

  std::optional<IdentityClaims> hit = cache.Find(token, keys, kNow + absl::Seconds(5), {});
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->site, "site-1");
  EXPECT_EQ(hit->sub, "alice");
  EXPECT_EQ(hit->role, Role::kVisitor);
  EXPECT_EQ(hit->exp, first->exp);
}

TEST(TokenCache, AHitAnswersWithoutVerifyingAgain) {
  // Claims cached for bytes that could never verify: getting them back proves
  // that the cached path, not the verifier, answered.
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  cache.Insert("not.a.token", keys, FakeClaims("cached-site", kNow + absl::Hours(1)), kNow);
  auto claims = VerifyIdentityTokenCached(cache, "not.a.token", keys, kNow, {});
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->site, "cached-site");
}

TEST(TokenCache, FailuresAreNeverCached) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  std::string forged = Identity("site-1");
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (int i = 0; i < 2; ++i) {
    auto claims = VerifyIdentityTokenCached(cache, forged, keys, kNow, {});
    EXPECT_EQ(errors::ReasonOf(claims.status()), "TOKEN_INVALID");
  }
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCache, ATokenDifferingInOneByteMisses) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  const std::string token = Identity("site-1");
  ASSERT_TRUE(VerifyIdentityTokenCached(cache, token, keys, kNow, {}).ok());
  std::string altered = token;
  altered[altered.size() - 2] = altered[altered.size() - 2] == 'x' ? 'y' : 'x';
  EXPECT_FALSE(cache.Find(altered, keys, kNow, {}).has_value());
  EXPECT_EQ(errors::ReasonOf(VerifyIdentityTokenCached(cache, altered, keys, kNow, {}).status()),
            "TOKEN_INVALID");
}

TEST(TokenCache, NotYetValidTokensAreNotCachedUntilValid) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  nlohmann::json claims = IdentityClaimsJson("site-1", "visitor", "alice", kNow);
  claims["nbf"] = absl::ToUnixSeconds(kNow) + 60;
  const std::string token = SignIdentity(claims);

  auto early = VerifyIdentityTokenCached(cache, token, keys, kNow, {});
  EXPECT_EQ(errors::ReasonOf(early.status()), "TOKEN_EXPIRED");
  EXPECT_EQ(cache.size(), 0u);

  auto later = VerifyIdentityTokenCached(cache, token, keys, kNow + absl::Seconds(61), {});
  EXPECT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TokenCache, ExpiryIsCheckedOnEveryHit) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  const std::string token = Identity("site-1", absl::Seconds(10));
  ASSERT_TRUE(VerifyIdentityTokenCached(cache, token, keys, kNow, {}).ok());
  EXPECT_TRUE(VerifyIdentityTokenCached(cache, token, keys, kNow + absl::Seconds(9), {}).ok());

  const absl::Time at_exp = kNow + absl::Seconds(10);
  EXPECT_FALSE(cache.Find(token, keys, at_exp, {}).has_value());
  auto expired = VerifyIdentityTokenCached(cache, token, keys, at_exp, {});
  EXPECT_EQ(errors::ReasonOf(expired.status()), "TOKEN_EXPIRED");
  // Exactly what the uncached verifier says.
  EXPECT_EQ(expired.status(), VerifyIdentityToken(token, keys->identity, at_exp).status());
}

TEST(TokenCache, ClockSkewIsAppliedOnHits) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  const VerifierOptions skew{absl::Seconds(30)};
  const std::string token = Identity("site-1", absl::Seconds(10));
  ASSERT_TRUE(VerifyIdentityTokenCached(cache, token, keys, kNow, skew).ok());
  EXPECT_TRUE(cache.Find(token, keys, kNow + absl::Seconds(39), skew).has_value());
  EXPECT_FALSE(cache.Find(token, keys, kNow + absl::Seconds(40), skew).has_value());
  EXPECT_FALSE(cache.Find(token, keys, kNow + absl::Seconds(39), {}).has_value());
}

TEST(TokenCache, AClockSteppingBackwardsMisses) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  cache.Insert("t", keys, FakeClaims("s", kNow + absl::Hours(1)), kNow);
  EXPECT_TRUE(cache.Find("t", keys, kNow, {}).has_value());
  EXPECT_FALSE(cache.Find("t", keys, kNow - absl::Seconds(1), {}).has_value());
}

TEST(TokenCache, EntriesBelongToTheKeySnapshotThatVerifiedThem) {
  VerifiedTokenCache<IdentityClaims> cache;
  auto keys = Snapshot();
  const std::string token = Identity("site-1");
  ASSERT_TRUE(VerifyIdentityTokenCached(cache, token, keys, kNow, {}).ok());

  // A reload that drops the key: the cached verification no longer counts.
  Keys rotated = TestKeys();
  rotated.identity.clear();
  rotated.identity.emplace("another-kid", "another-secret-0123456789abcdef-0123456789");
  auto rotated_keys = std::make_shared<const Keys>(rotated);
  EXPECT_FALSE(cache.Find(token, rotated_keys, kNow, {}).has_value());
  EXPECT_EQ(
      errors::ReasonOf(VerifyIdentityTokenCached(cache, token, rotated_keys, kNow, {}).status()),
      "TOKEN_INVALID");

  // Even a reload of identical keys is a new snapshot: verified afresh.
  auto reloaded = Snapshot();
  EXPECT_FALSE(cache.Find(token, reloaded, kNow, {}).has_value());
  EXPECT_TRUE(VerifyIdentityTokenCached(cache, token, reloaded, kNow, {}).ok());
  EXPECT_TRUE(cache.Find(token, reloaded, kNow, {}).has_value());
}

TEST(TokenCache, SizeStaysWithinCapacity) {
  VerifiedTokenCache<IdentityClaims> cache(/*capacity=*/64);
  auto keys = Snapshot();
  for (int i = 0; i < 5000; ++i) {
    cache.Insert(absl::StrCat("token-", i), keys, FakeClaims("s", kNow + absl::Hours(1)), kNow);
  }
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 0u);
  // The latest insertion is always kept.
  EXPECT_TRUE(cache.Find("token-4999", keys, kNow, {}).has_value());
}

TEST(TokenCache, AFullShardSweepsExpiredEntriesFirst) {
  VerifiedTokenCache<IdentityClaims> cache(/*capacity=*/64);  // 16 shards of 4
  auto keys = Snapshot();
  // Every shard full of entries that expire at kNow + 1 s.
  for (int i = 0; i < 1000; ++i) {
    cache.Insert(absl::StrCat("old-", i), keys, FakeClaims("s", kNow + absl::Seconds(1)), kNow);
  }
  ASSERT_EQ(cache.size(), 64u);
  // Once they have expired, one insertion clears its whole shard of them
  // (4 expired entries go, 1 live one comes), where evicting would drop one.
  const absl::Time later = kNow + absl::Seconds(5);
  cache.Insert("new", keys, FakeClaims("s", later + absl::Hours(1)), later);
  EXPECT_EQ(cache.size(), 61u);
  EXPECT_TRUE(cache.Find("new", keys, later, {}).has_value());
}

TEST(TokenCache, ElevationTokensAreCachedAndStillExpire) {
  VerifiedTokenCache<ElevationClaims> cache;
  auto keys = Snapshot();
  const std::string token = SignElevation(
      ElevationClaimsJson("site-1", {"ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS"}, "backend",
                          kNow));  // valid for 60 s
  auto first = VerifyElevationTokenCached(cache, token, keys, kNow, {});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(cache.size(), 1u);
  auto hit = VerifyElevationTokenCached(cache, token, keys, kNow + absl::Seconds(30), {});
  ASSERT_TRUE(hit.ok());
  EXPECT_EQ(hit->jti, first->jti);
  EXPECT_EQ(hit->perms, first->perms);

  auto expired = VerifyElevationTokenCached(cache, token, keys, kNow + absl::Seconds(60), {});
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::ReasonOf(expired.status()), "ELEVATION_INVALID");
}

TEST(TokenCache, ConcurrentCallersGetTheirOwnClaims) {
  VerifiedTokenCache<IdentityClaims> cache(/*capacity=*/16);  // constant churn
  auto keys = Snapshot();
  std::vector<std::string> tokens;
  for (int i = 0; i < 40; ++i) tokens.push_back(Identity(absl::StrCat("site-", i)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 400; ++n) {
        const int i = (n * 7 + t) % 40;
        auto claims = VerifyIdentityTokenCached(cache, tokens[i], keys, kNow, {});
        if (!claims.ok() || claims->site != absl::StrCat("site-", i)) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), 16u);
}

TEST(TokenCache, TheAuthorizerVerifiesThroughTheSharedCache) {
  auto permissions = MethodPermissions::FromDescriptors();
  ASSERT_TRUE(permissions.ok());
  auto ring = std::make_shared<KeyRing>(TestKeys());
  Authorizer authorizer(ring, *std::move(permissions));
  const std::string token = Identity("shared-cache-site");
  CallCredentials credentials;
  const std::string header = "Bearer " + token;
  credentials.authorization.push_back(header);

  Decision decision = authorizer.Decide("/backinstock.v1.BackInStockSettingsService/GetSettings",
                                        credentials, kNow);
  ASSERT_TRUE(decision.status.ok()) << decision.status;
  std::optional<IdentityClaims> cached =
      SharedIdentityTokenCache().Find(token, ring->Current(), kNow, {});
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->site, "shared-cache-site");

  // A reload (SIGHUP) makes a new snapshot, which the old entry does not serve.
  ring->Replace(TestKeys());
  EXPECT_FALSE(SharedIdentityTokenCache().Find(token, ring->Current(), kNow, {}).has_value());
}

}  // namespace
}  // namespace backinstock::auth
