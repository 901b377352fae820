#include "server/metrics/shards.h"

namespace backinstock::metrics {

size_t ThisThreadShard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}

}  // namespace backinstock::metrics
