// 16 threads make 10,000 mixed calls on 50 sites over a real channel. Every
// response carries the revision it saw, which orders the calls of a site; a
// serial replay in that order must reproduce every response and the final
// state exactly. Run on the memory store (writes inline) and on the journal
// (writes on the blocking-write pool, one line per site, where a write
// answers the calls that waited behind it).
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "tests/support/settings_calls.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {
namespace {

struct Observation {
  enum Kind { kGet, kStart, kStop } kind;
  int64_t revision;  // in the response
  bool collecting;   // in the response
};

void ExpectMixedLoadMatchesSerialReplay(const runtime::ServerConfig& config) {
  constexpr int kThreads = 16, kCalls = 10000, kSites = 50;
  TestServer server(config);
  // Tokens are minted once per site: the test measures the service, not HMAC.
  std::vector<Credentials> owners;
  for (int s = 0; s < kSites; ++s) owners.push_back(As("site-" + std::to_string(s), "user"));

  std::vector<std::vector<std::vector<Observation>>> per_thread(
      kThreads, std::vector<std::vector<Observation>>(kSites));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SettingsCalls calls(server.channel());
      std::mt19937 random(1234 + t);
      for (int i = t; i < kCalls; i += kThreads) {
        const int site = static_cast<int>(random() % kSites);
        const auto kind = static_cast<Observation::Kind>(random() % 3);
        absl::StatusOr<v1::BackInStockSettings> result =
            kind == Observation::kGet ? calls.Get(owners[site])
                                      : calls.Set(owners[site], kind == Observation::kStart);
        if (!result.ok()) {
          ++failures;
          continue;
        }
        per_thread[t][site].push_back(
            {kind, result->revision(), result->collection_states(0).collecting_requests()});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  SettingsCalls calls(server.channel());
  int total = 0;
  for (int s = 0; s < kSites; ++s) {
    std::vector<Observation> ops;
    for (int t = 0; t < kThreads; ++t) {
      ops.insert(ops.end(), per_thread[t][s].begin(), per_thread[t][s].end());
    }
    total += static_cast<int>(ops.size());
    // A write that changed the state is the only call to answer with a new
    // revision first; group the calls by the revision they saw.
    std::map<int64_t, std::vector<Observation>> by_revision;
    for (const auto& op : ops) by_revision[op.revision].push_back(op);

    // Serial replay: start from the untouched state; at each revision r > 0
    // exactly one write flipped the state; everything else that saw r agrees.
    bool state = false;
    int64_t revision = 0;
    for (const auto& [r, group] : by_revision) {
      if (r != revision) {
        ASSERT_EQ(r, revision + 1) << "site " << s << ": a revision was skipped or invented";
        const bool flipped_to = !state;
        int writers = 0;
        for (const auto& op : group) {
          writers += (op.kind == Observation::kStart) == flipped_to && op.kind != Observation::kGet;
        }
        ASSERT_GE(writers, 1) << "site " << s << " revision " << r << " has no writer";
        state = flipped_to;
        revision = r;
      }
      for (const auto& op : group) {
        EXPECT_EQ(op.collecting, state) << "site " << s << " revision " << r;
        if (op.kind != Observation::kGet) {
          EXPECT_EQ(op.kind == Observation::kStart, state) << "site " << s << " revision " << r;
        }
      }
    }
    // The number of real changes is the number of revisions, and the final
    // state is the replay's.
    absl::StatusOr<v1::BackInStockSettings> final_settings = calls.Get(owners[s]);
    ASSERT_TRUE(final_settings.ok());
    EXPECT_EQ(final_settings->revision(), revision) << "site " << s;
    EXPECT_EQ(final_settings->collection_states(0).collecting_requests(), state) << "site " << s;
  }
  EXPECT_EQ(total, kCalls);
}

TEST(Concurrency, MixedLoadMatchesSerialReplay) {
  ExpectMixedLoadMatchesSerialReplay(TestConfig());
}

TEST(Concurrency, MixedLoadOnTheJournalMatchesSerialReplay) {
  TempDir dir("concurrency-journal");
  runtime::ServerConfig config = TestConfig();
  config.data_dir = dir.path();
  ExpectMixedLoadMatchesSerialReplay(config);
}

}  // namespace
}  // namespace backinstock::testing
