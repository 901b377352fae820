#include "bench/load/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace backinstock::bench {
namespace {

// 2^kSubBits buckets per power of two: relative bucket width <= 1/128.
constexpr int kSubBits = 7;
constexpr uint64_t kSub = uint64_t{1} << kSubBits;
// Values are clamped below 2^kMaxBits ns (about 4.9 hours).
constexpr int kMaxBits = 44;
constexpr uint64_t kMaxValue = (uint64_t{1} << kMaxBits) - 1;

int HighestBit(uint64_t v) { return 63 - __builtin_clzll(v); }

}  // namespace

// Index layout: [0, 2*kSub) holds the values themselves; above that, a value
// whose highest bit is b lands in shift = b - kSubBits, bucket kSub * shift +
// (value >> shift), which is contiguous with the exact range below it.
size_t LatencyHistogram::IndexOf(uint64_t nanos) {
  if (nanos < 2 * kSub) return static_cast<size_t>(nanos);
  const int shift = HighestBit(nanos) - kSubBits;
  return static_cast<size_t>(kSub * shift + (nanos >> shift));
}

uint64_t LatencyHistogram::LowerBound(size_t index) {
  if (index < 2 * kSub) return index;
  const uint64_t shift = index / kSub - 1;
  return (index - kSub * shift) << shift;
}

uint64_t LatencyHistogram::Width(size_t index) {
  if (index < 2 * kSub) return 1;
  return uint64_t{1} << (index / kSub - 1);
}

LatencyHistogram::LatencyHistogram() : counts_(IndexOf(kMaxValue) + 1, 0) {}

void LatencyHistogram::Record(int64_t nanos) {
  const uint64_t value = std::min<uint64_t>(nanos < 0 ? 0 : nanos, kMaxValue);
  ++counts_[IndexOf(value)];
  const auto v = static_cast<int64_t>(value);
  min_ = count_ == 0 ? v : std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += v;
  ++count_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

int64_t LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * count_)));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const auto mid = static_cast<int64_t>(LowerBound(i) + Width(i) / 2);
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace backinstock::bench
