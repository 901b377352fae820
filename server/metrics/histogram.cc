#include "server/metrics/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace backinstock::metrics {
namespace {

uint64_t Bits(double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

double FromBits(uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      cells_(bounds_.size() + 2),
      lines_per_shard_((cells_ + CacheLine::kCells - 1) / CacheLine::kCells),
      lines_(new CacheLine[lines_per_shard_ * kShards]) {}

std::atomic<uint64_t>& Histogram::Cell(size_t shard, size_t index) const {
  return lines_[shard * lines_per_shard_ + index / CacheLine::kCells]
      .cells[index % CacheLine::kCells];
}

void Histogram::Observe(double value) {
  // First bound >= value: buckets are "less than or equal". NaN compares
  // with nothing and lands in +Inf.
  const size_t bucket =
      std::isnan(value)
          ? bounds_.size()
          : static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                bounds_.begin());
  const size_t shard = ThisThreadShard();
  Cell(shard, bucket).fetch_add(1, std::memory_order_relaxed);
  std::atomic<uint64_t>& sum = Cell(shard, cells_ - 1);
  uint64_t old_bits = sum.load(std::memory_order_relaxed);
  while (!sum.compare_exchange_weak(old_bits, Bits(FromBits(old_bits) + value),
                                    std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot;
  snapshot.counts.assign(bounds_.size() + 1, 0);
  for (size_t shard = 0; shard < kShards; ++shard) {
    for (size_t bucket = 0; bucket <= bounds_.size(); ++bucket) {
      snapshot.counts[bucket] += Cell(shard, bucket).load(std::memory_order_relaxed);
    }
    snapshot.sum += FromBits(Cell(shard, cells_ - 1).load(std::memory_order_relaxed));
  }
  return snapshot;
}

std::vector<double> LatencySecondsBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

std::vector<double> PowersOfTwoBuckets(int max_exponent) {
  std::vector<double> bounds;
  for (int e = 0; e <= max_exponent; ++e) bounds.push_back(std::ldexp(1.0, e));
  return bounds;
}

}  // namespace backinstock::metrics
