#include "bench/load/latency_histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace backinstock::bench {
namespace {

TEST(LatencyHistogramTest, EmptyHistogramReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Quantile(0.5), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_EQ(h.Quantile(0.5), 50);
  EXPECT_EQ(h.Quantile(0.99), 99);
  EXPECT_EQ(h.Quantile(1.0), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(LatencyHistogramTest, LargeValuesWithinOnePercent) {
  LatencyHistogram h;
  // 1 µs .. 10 s in steps: every quantile lands within 1% of the true value.
  std::vector<int64_t> values;
  for (int64_t v = 1000; v <= 10'000'000'000; v = v * 11 / 10) values.push_back(v);
  for (int64_t v : values) h.Record(v);
  for (double q : {0.1, 0.5, 0.9, 0.99}) {
    const auto rank = static_cast<size_t>(std::ceil(q * values.size()));
    const int64_t truth = values[rank - 1];
    EXPECT_NEAR(static_cast<double>(h.Quantile(q)), static_cast<double>(truth), truth * 0.01)
        << "q=" << q;
  }
}

TEST(LatencyHistogramTest, QuantilesFollowTheDistribution) {
  LatencyHistogram h;
  // 990 fast calls at 1 ms and 10 slow ones at 50 ms: p99 is fast, p99.9 slow.
  for (int i = 0; i < 990; ++i) h.Record(1'000'000);
  for (int i = 0; i < 10; ++i) h.Record(50'000'000);
  EXPECT_NEAR(h.Quantile(0.99), 1'000'000, 10'000);
  EXPECT_NEAR(h.Quantile(0.999), 50'000'000, 500'000);
  EXPECT_EQ(h.max(), 50'000'000);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v = 1; v < 5'000'000; v = v * 3 + 7) {
    (v % 2 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double q : {0.0, 0.25, 0.5, 0.75, 0.9, 1.0}) EXPECT_EQ(a.Quantile(q), all.Quantile(q));
}

TEST(LatencyHistogramTest, NegativeAndHugeValuesAreClamped) {
  LatencyHistogram h;
  h.Record(-5);
  h.Record(INT64_MAX);
  EXPECT_EQ(h.min(), 0);
  EXPECT_GT(h.max(), int64_t{1} << 43);
  EXPECT_EQ(h.count(), 2);
}

}  // namespace
}  // namespace backinstock::bench
