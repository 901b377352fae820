// A distribution over fixed buckets (Prometheus "histogram"), sharded per
// thread: an observation is one relaxed add to its bucket and a
// compare-and-swap on the sum, both in the calling thread's shard.
#ifndef BACKINSTOCK_SERVER_METRICS_HISTOGRAM_H_
#define BACKINSTOCK_SERVER_METRICS_HISTOGRAM_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "server/metrics/shards.h"

namespace backinstock::metrics {

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds (inclusive), strictly increasing and
  // finite; the +Inf bucket is implicit.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> counts;  // per bucket, NOT cumulative; the last is +Inf
    double sum = 0;
  };
  // The sum of every shard; an observation in progress may be in the counts
  // and not yet in the sum.
  Snapshot Read() const;

  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::atomic<uint64_t>& Cell(size_t shard, size_t index) const;

  const std::vector<double> bounds_;
  // Cells of a shard: one count per bucket (bounds + the +Inf one), then the
  // sum's bits; each shard starts on a cache line of its own.
  const size_t cells_;
  const size_t lines_per_shard_;
  std::unique_ptr<CacheLine[]> lines_;
};

// prometheus.DefBuckets (what the go-grpc-prometheus interceptors use), with
// finer buckets below 5 ms in front: calls here mostly take well under a
// millisecond, and a p99 read from the default buckets could only say "< 5ms".
std::vector<double> LatencySecondsBuckets();

// For small integers such as the transactions in one etcd group: 1, 2, 4 ... 64.
std::vector<double> PowersOfTwoBuckets(int max_exponent);

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_HISTOGRAM_H_
