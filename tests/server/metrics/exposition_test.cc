// The text format 0.0.4 as the registry writes it: HELP/TYPE lines, label
// escaping, cumulative histogram buckets with +Inf, _sum and _count.
#include "server/metrics/exposition.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "absl/strings/str_split.h"
#include "server/metrics/registry.h"

namespace backinstock::metrics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Lines(const std::string& page) {
  return absl::StrSplit(page, '\n', absl::SkipEmpty());
}

TEST(ExpositionTest, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(EscapeLabelValue("plain"), "plain");
  EXPECT_EQ(EscapeLabelValue("a\\b"), "a\\\\b");
  EXPECT_EQ(EscapeLabelValue("say \"hi\""), "say \\\"hi\\\"");
  EXPECT_EQ(EscapeLabelValue("two\nlines"), "two\\nlines");
  // Everything else, tabs and UTF-8 included, goes through as it is.
  EXPECT_EQ(EscapeLabelValue("tab\t\xc3\xa9"), "tab\t\xc3\xa9");
}

TEST(ExpositionTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(EscapeHelp("a \"quoted\" \\ path\nnext"), "a \"quoted\" \\\\ path\\nnext");
}

TEST(ExpositionTest, RegistryWritesEscapedLabelsInTheSample) {
  Registry registry;
  registry.AddCounter("odd_total", "Odd labels.", {{"path", "C:\\dir \"x\"\ny"}, {"b", "2"}})
      ->Increment(3);
  EXPECT_THAT(Lines(registry.Render()),
              ElementsAre("# HELP odd_total Odd labels.", "# TYPE odd_total counter",
                          "odd_total{path=\"C:\\\\dir \\\"x\\\"\\ny\",b=\"2\"} 3"));
}

TEST(ExpositionTest, EveryFamilyHasHelpAndTypeBeforeItsSamplesOnce) {
  Registry registry;
  registry.AddCounter("calls_total", "Calls.\nSecond line \\ here.", {{"code", "OK"}})->Increment();
  registry.AddGauge("depth", "Depth.")->Set(-4);
  registry.AddCounter("calls_total", "Calls.\nSecond line \\ here.", {{"code", "NotFound"}});
  EXPECT_THAT(Lines(registry.Render()),
              ElementsAre("# HELP calls_total Calls.\\nSecond line \\\\ here.",
                          "# TYPE calls_total counter", "calls_total{code=\"OK\"} 1",
                          "calls_total{code=\"NotFound\"} 0", "# HELP depth Depth.",
                          "# TYPE depth gauge", "depth -4"));
}

TEST(ExpositionTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry registry;
  Histogram* histogram =
      registry.AddHistogram("latency_seconds", "Latency.", {0.25, 1, 2.5}, {{"m", "Get"}});
  for (double value : {0.125, 0.25, 1.0, 1.0, 2.0, 7.5}) histogram->Observe(value);
  EXPECT_THAT(
      Lines(registry.Render()),
      ElementsAre("# HELP latency_seconds Latency.", "# TYPE latency_seconds histogram",
                  "latency_seconds_bucket{m=\"Get\",le=\"0.25\"} 2",
                  "latency_seconds_bucket{m=\"Get\",le=\"1\"} 4",
                  "latency_seconds_bucket{m=\"Get\",le=\"2.5\"} 5",
                  "latency_seconds_bucket{m=\"Get\",le=\"+Inf\"} 6",
                  "latency_seconds_sum{m=\"Get\"} 11.875", "latency_seconds_count{m=\"Get\"} 6"));
}

TEST(ExpositionTest, HistogramWithoutLabelsHasOnlyLe) {
  Registry registry;
  registry.AddHistogram("size", "Size.", {1, 2})->Observe(2);
  EXPECT_THAT(Lines(registry.Render()),
              ElementsAre("# HELP size Size.", "# TYPE size histogram", "size_bucket{le=\"1\"} 0",
                          "size_bucket{le=\"2\"} 1", "size_bucket{le=\"+Inf\"} 1", "size_sum 2",
                          "size_count 1"));
}

TEST(ExpositionTest, ValuesPrintWholeNumbersPlainlyAndOthersExactly) {
  EXPECT_EQ(FormatValue(100), "100");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  // Go's 'g' formatting, as Prometheus's clients write bucket bounds.
  EXPECT_EQ(FormatValue(0.0005), "0.0005");
  EXPECT_EQ(FormatValue(0.0001), "0.0001");
  EXPECT_EQ(FormatValue(0.00001), "1e-05");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(123456.5), "123456.5");
  EXPECT_EQ(FormatValue(1234567.5), "1.2345675e+06");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
  const double awkward = 0.1 + 0.2;
  EXPECT_EQ(std::stod(FormatValue(awkward)), awkward);
  EXPECT_EQ(std::stod(FormatValue(1e300)), 1e300);
}

TEST(ExpositionTest, NamesAreChecked) {
  EXPECT_TRUE(IsValidMetricName("grpc_server_handled_total"));
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("grpc_code"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("__name__"));
}

TEST(ExpositionTest, ContentTypeIsTheTextFormat) {
  EXPECT_THAT(std::string(kContentType), HasSubstr("version=0.0.4"));
}

}  // namespace
}  // namespace backinstock::metrics
