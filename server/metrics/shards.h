// Sharded cells for metrics updated on hot paths: each thread adds to a shard
// of its own (relaxed atomics on a cache line no other shard shares), so an
// update costs one uncontended atomic add and never a lock; a scrape sums the
// shards.
#ifndef BACKINSTOCK_SERVER_METRICS_SHARDS_H_
#define BACKINSTOCK_SERVER_METRICS_SHARDS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace backinstock::metrics {

// Enough that the threads of one process (gRPC's, the work queues') rarely
// share a shard; a shared one is still correct, only contended.
inline constexpr size_t kShards = 16;

// The calling thread's shard, assigned round-robin on its first update.
size_t ThisThreadShard();

// One cache line of cells, so that shards never share a line.
struct alignas(64) CacheLine {
  static constexpr size_t kCells = 64 / sizeof(std::atomic<uint64_t>);
  std::atomic<uint64_t> cells[kCells] = {};
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_SHARDS_H_
