// A monotonically increasing count (Prometheus "counter"), sharded per thread.
#ifndef BACKINSTOCK_SERVER_METRICS_COUNTER_H_
#define BACKINSTOCK_SERVER_METRICS_COUNTER_H_

#include <array>
#include <cstdint>

#include "server/metrics/shards.h"

namespace backinstock::metrics {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Increment(uint64_t n = 1) {
    shards_[ThisThreadShard()].cells[0].fetch_add(n, std::memory_order_relaxed);
  }

  // The sum of every shard; concurrent increments may or may not be in it.
  uint64_t Value() const {
    uint64_t total = 0;
    for (const CacheLine& shard : shards_) total += shard.cells[0].load(std::memory_order_relaxed);
    return total;
  }

 private:
  std::array<CacheLine, kShards> shards_;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_COUNTER_H_
