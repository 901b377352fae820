// A latency histogram with bounded memory and under 1% relative error: values
// (nanoseconds) below 256 are counted exactly, larger ones in buckets of 128
// per power of two. Not thread-safe: each load lane records into its own and
// the lanes' histograms are merged at the end.
#ifndef BACKINSTOCK_BENCH_LOAD_LATENCY_HISTOGRAM_H_
#define BACKINSTOCK_BENCH_LOAD_LATENCY_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace backinstock::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(int64_t nanos);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : static_cast<double>(sum_) / count_; }

  // The value at quantile `q` (0..1): the midpoint of the bucket holding the
  // ceil(q * count)-th smallest value, clamped to [min, max]. 0 when empty.
  int64_t Quantile(double q) const;

 private:
  static size_t IndexOf(uint64_t nanos);
  static uint64_t LowerBound(size_t index);
  static uint64_t Width(size_t index);

  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  int64_t sum_ = 0;
};

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_LOAD_LATENCY_HISTOGRAM_H_
