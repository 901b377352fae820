// What authorizing one call costs: verifying an identity token, an elevation
// token, and the Authorizer's whole decision for GetSettings (identity only)
// and for StartCollectingRequests by a visitor with elevation. The decision
// benchmarks rotate over `tokens` distinct callers, so the verified-token cache
// (server/auth/token_cache.h) is measured with one caller and with 10,000: the
// identity cache holds them all, the elevation cache (4,096) does not. And
// the audit line every elevated call writes (FormatAuditLine).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/micro/site_names.h"
#include "nlohmann/json.hpp"
#include "server/auth/audit_log.h"
#include "server/auth/authorizer.h"
#include "server/auth/method_permissions.h"
#include "server/auth/permissions.h"
#include "server/auth/token_minter.h"
#include "server/auth/token_verifier.h"

namespace backinstock::bench {
namespace {

constexpr char kIdentityKid[] = "bench-identity";
constexpr char kElevationKid[] = "bench-elevation";
constexpr char kIdentitySecret[] = "identity-secret-for-benchmarks-0123456789";
constexpr char kElevationSecret[] = "elevation-secret-for-benchmarks-0123456789";
constexpr char kGetSettings[] = "/backinstock.v1.BackInStockSettingsService/GetSettings";
constexpr char kStartCollecting[] =
    "/backinstock.v1.BackInStockSettingsService/StartCollectingRequests";

auth::Keys BenchKeys() {
  auth::Keys keys;
  keys.identity.emplace(kIdentityKid, kIdentitySecret);
  keys.elevation.emplace(kElevationKid, kElevationSecret);
  return keys;
}

std::string IdentityToken(const std::string& site, absl::Time now) {
  const int64_t t = absl::ToUnixSeconds(now);
  nlohmann::json claims = {{"aud", "backinstock"},
                           {"sub", "bench-user"},
                           {"site", site},
                           {"role", "visitor"},
                           {"iat", t},
                           {"exp", t + 3600}};
  return *auth::MintHs256(kIdentityKid, kIdentitySecret, claims.dump());
}

std::string ElevationToken(const std::string& site, absl::Time now) {
  const int64_t t = absl::ToUnixSeconds(now);
  nlohmann::json claims = {{"aud", "backinstock-elevation"},
                           {"sub", "bench-backend"},
                           {"site", site},
                           {"perms", {std::string(auth::kSettingsModify)}},
                           {"jti", absl::StrCat("jti-", site)},
                           {"iat", t},
                           {"exp", t + 300}};
  return *auth::MintHs256(kElevationKid, kElevationSecret, claims.dump());
}

void BM_VerifyIdentityToken(benchmark::State& state) {
  const auth::Keys keys = BenchKeys();
  const absl::Time now = absl::Now();
  const std::string token = IdentityToken(SiteName(0), now);
  for (auto _ : state) {
    auto claims = auth::VerifyIdentityToken(token, keys.identity, now);
    if (!claims.ok()) state.SkipWithError("identity token does not verify");
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyIdentityToken);

void BM_VerifyElevationToken(benchmark::State& state) {
  const auth::Keys keys = BenchKeys();
  const absl::Time now = absl::Now();
  const std::string token = ElevationToken(SiteName(0), now);
  for (auto _ : state) {
    auto claims = auth::VerifyElevationToken(token, keys.elevation, now);
    if (!claims.ok()) state.SkipWithError("elevation token does not verify");
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyElevationToken);

// The headers of `tokens` callers, each on a site of its own.
struct Callers {
  std::vector<std::string> authorization;
  std::vector<std::string> elevation;

  Callers(int tokens, absl::Time now) {
    for (int i = 0; i < tokens; ++i) {
      authorization.push_back(absl::StrCat("Bearer ", IdentityToken(SiteName(i), now)));
      elevation.push_back(ElevationToken(SiteName(i), now));
    }
  }
};

// One authorizer and one set of callers per token count, shared by every run
// of the benchmarks: in service the key snapshot changes only on a reload, so
// the token cache keeps what it verified across calls.
struct AuthorizerWithCallers {
  auth::Authorizer authorizer;
  Callers callers;
};

AuthorizerWithCallers* SetupFor(int tokens) {
  static absl::Mutex mu;
  static auto* setups = new std::map<int, std::unique_ptr<AuthorizerWithCallers>>();
  absl::MutexLock lock(&mu);
  std::unique_ptr<AuthorizerWithCallers>& setup = (*setups)[tokens];
  if (!setup) {
    auto permissions = auth::MethodPermissions::FromDescriptors();
    if (!permissions.ok()) return nullptr;
    setup.reset(new AuthorizerWithCallers{
        auth::Authorizer(std::make_shared<auth::KeyRing>(BenchKeys()), *std::move(permissions)),
        Callers(tokens, absl::Now())});
    // Every caller once, as a running server would have seen them: the
    // benchmarks then measure steady state, not the first verifications.
    for (int i = 0; i < tokens; ++i) {
      auth::CallCredentials credentials;
      credentials.authorization.push_back(setup->callers.authorization[i]);
      credentials.elevation.push_back(setup->callers.elevation[i]);
      (void)setup->authorizer.Decide(kStartCollecting, credentials, absl::Now());
    }
  }
  return setup.get();
}

void Decide(benchmark::State& state, const char* method, bool elevated) {
  AuthorizerWithCallers* setup = SetupFor(static_cast<int>(state.range(0)));
  if (setup == nullptr) {
    state.SkipWithError("no method permissions");
    return;
  }
  const Callers& callers = setup->callers;
  size_t i = 0;
  for (auto _ : state) {
    auth::CallCredentials credentials;
    credentials.authorization.push_back(callers.authorization[i]);
    if (elevated) credentials.elevation.push_back(callers.elevation[i]);
    auth::Decision decision = setup->authorizer.Decide(method, credentials, absl::Now());
    if (!decision.status.ok()) state.SkipWithError("the call was not admitted");
    benchmark::DoNotOptimize(decision);
    if (++i == callers.authorization.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AuthorizeGetSettings(benchmark::State& state) { Decide(state, kGetSettings, false); }
void BM_AuthorizeStartCollectingElevated(benchmark::State& state) {
  Decide(state, kStartCollecting, true);
}
BENCHMARK(BM_AuthorizeGetSettings)->ArgName("tokens")->Arg(1)->Arg(10'000);
BENCHMARK(BM_AuthorizeStartCollectingElevated)->ArgName("tokens")->Arg(1)->Arg(10'000);

// The audit line of an elevated Start, with the sizes the load generator's
// calls have (GUID site, bench user and backend subs, a short jti).
void BM_FormatAuditLine(benchmark::State& state) {
  auth::AuditRecord record;
  record.time = absl::Now();
  record.method = kStartCollecting;
  record.site = SiteName(42);
  record.caller_sub = "bench-user-42";
  record.caller_role = "visitor";
  record.elevated_by = "bench-backend";
  record.jti = "bench-42";
  record.code = "OK";
  for (auto _ : state) {
    std::string line = auth::FormatAuditLine(record);
    benchmark::DoNotOptimize(line);
    record.time += absl::Microseconds(37);  // the timestamp's second changes now and then
  }
}
BENCHMARK(BM_FormatAuditLine);

}  // namespace
}  // namespace backinstock::bench

BENCHMARK_MAIN();
