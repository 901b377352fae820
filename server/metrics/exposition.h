// The Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): a family's
// "# HELP" and "# TYPE" lines, then one line per sample; a histogram as
// cumulative `_bucket{le="..."}` samples ending with le="+Inf", then `_sum`
// and `_count`.
#ifndef BACKINSTOCK_SERVER_METRICS_EXPOSITION_H_
#define BACKINSTOCK_SERVER_METRICS_EXPOSITION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace backinstock::metrics {

inline constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

enum class Type { kCounter, kGauge, kHistogram };

using Labels = std::vector<std::pair<std::string, std::string>>;

// Label values escape backslash, double quote and newline.
std::string EscapeLabelValue(absl::string_view value);
// HELP text escapes backslash and newline.
std::string EscapeHelp(absl::string_view help);
// `a="x",b="y"` (no braces), values escaped; "" for no labels.
std::string RenderLabels(const Labels& labels);
// Integral values print as integers, others in the shortest form that reads
// back the same; infinities as +Inf / -Inf, NaN as NaN.
std::string FormatValue(double value);

// Metric names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]* and do not start with "__".
bool IsValidMetricName(absl::string_view name);
bool IsValidLabelName(absl::string_view name);

// Appends a page to a string. Label strings are RenderLabels() output, so a
// family's children can render theirs once, when they are registered.
class TextWriter {
 public:
  explicit TextWriter(std::string* out) : out_(out) {}

  void Family(absl::string_view name, absl::string_view help, Type type);
  void Sample(absl::string_view name, absl::string_view labels, uint64_t value);
  void Sample(absl::string_view name, absl::string_view labels, int64_t value);
  void Sample(absl::string_view name, absl::string_view labels, double value);
  // `counts`: per bucket, not cumulative, one more than `bounds` (+Inf last).
  void Histogram(absl::string_view name, absl::string_view labels, absl::Span<const double> bounds,
                 absl::Span<const uint64_t> counts, double sum);

 private:
  void Line(absl::string_view name, absl::string_view suffix, absl::string_view labels,
            absl::string_view extra_label, absl::string_view value);

  std::string* out_;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_EXPOSITION_H_
