// The in-memory settings store: Get and a read-modify-write Set (Get, then
// CompareAndSwap, retried on conflict, as SettingsManager does), with 1 site
// (every call on one shard) and 1,000,000 sites (cache misses, scattered
// shards), on 1 and 2 threads.
#include <benchmark/benchmark.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/micro/site_names.h"
#include "server/domain/settings_manager.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::bench {
namespace {

// A store holding `sites` sites with one app each, and their names; built once
// per size and shared by every benchmark and thread.
struct Populated {
  store::MemorySettingsStore store;
  std::vector<std::string> names;

  explicit Populated(int sites) {
    names.reserve(sites);
    for (int i = 0; i < sites; ++i) {
      names.push_back(SiteName(i));
      store::SettingsRecord record{1, {{std::string(domain::kWixStoresAppId), true}}};
      (void)store.CompareAndSwap(names.back(), 0, record);
    }
  }
};

Populated& PopulatedWith(int sites) {
  static Populated* one = new Populated(1);
  if (sites == 1) return *one;
  static Populated* million = new Populated(1'000'000);
  return *million;
}

// Consecutive iterations visit sites a large prime apart, so that with many
// sites every access is a different, cold one.
constexpr uint64_t kStride = 1'000'003;

void BM_StoreGet(benchmark::State& state) {
  Populated& populated = PopulatedWith(static_cast<int>(state.range(0)));
  const uint64_t n = populated.names.size();
  uint64_t i = static_cast<uint64_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto record = populated.store.Get(populated.names[i % n]);
    benchmark::DoNotOptimize(record);
    i += kStride;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_StoreSet(benchmark::State& state) {
  Populated& populated = PopulatedWith(static_cast<int>(state.range(0)));
  const uint64_t n = populated.names.size();
  uint64_t i = static_cast<uint64_t>(state.thread_index()) * 7919;
  int64_t conflicts = 0;
  for (auto _ : state) {
    const std::string& site = populated.names[i % n];
    for (;;) {
      absl::StatusOr<store::SettingsRecord> current = populated.store.Get(site);
      store::SettingsRecord next = *current;
      next.revision = current->revision + 1;
      next.states[0].collecting = !next.states[0].collecting;
      if (populated.store.CompareAndSwap(site, current->revision, next).ok()) break;
      ++conflicts;
    }
    i += kStride;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["conflicts"] = benchmark::Counter(static_cast<double>(conflicts));
}

BENCHMARK(BM_StoreGet)
    ->ArgName("sites")
    ->Arg(1)
    ->Arg(1'000'000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_StoreSet)
    ->ArgName("sites")
    ->Arg(1)
    ->Arg(1'000'000)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

}  // namespace
}  // namespace backinstock::bench

BENCHMARK_MAIN();
