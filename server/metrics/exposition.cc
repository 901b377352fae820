#include "server/metrics/exposition.h"

#include <charconv>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace backinstock::metrics {
namespace {

absl::string_view TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

bool IsNameChar(char c, bool first, bool colon_allowed) {
  if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') return true;
  if (colon_allowed && c == ':') return true;
  return !first && absl::ascii_isdigit(static_cast<unsigned char>(c));
}

bool IsValidName(absl::string_view name, bool colon_allowed) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon_allowed)) return false;
  }
  return true;
}

}  // namespace

std::string EscapeLabelValue(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string EscapeHelp(absl::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string RenderLabels(const Labels& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!out.empty()) out += ',';
    absl::StrAppend(&out, name, "=\"", EscapeLabelValue(value), "\"");
  }
  return out;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Below 2^53 every integer is exact: print it whole ("100", not "1e+02").
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  // As Go's strconv.FormatFloat(v, 'g', -1, 64), which Prometheus's own
  // clients use (so bucket bounds read le="0.0005", as dashboards expect):
  // the shortest digits, in exponent form only below 1e-4 or from 1e6 on.
  char buffer[64];
  std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  int exponent = 0;
  const size_t e = scientific.find('e');
  if (e == std::string::npos || !absl::SimpleAtoi(scientific.substr(e + 1), &exponent) ||
      exponent < -4 || exponent >= 6) {
    return scientific;
  }
  result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed);
  return std::string(buffer, result.ptr);
}

bool IsValidMetricName(absl::string_view name) { return IsValidName(name, true); }

bool IsValidLabelName(absl::string_view name) {
  return IsValidName(name, false) && !absl::StartsWith(name, "__");
}

void TextWriter::Family(absl::string_view name, absl::string_view help, Type type) {
  absl::StrAppend(out_, "# HELP ", name, " ", EscapeHelp(help), "\n");
  absl::StrAppend(out_, "# TYPE ", name, " ", TypeName(type), "\n");
}

void TextWriter::Line(absl::string_view name, absl::string_view suffix, absl::string_view labels,
                      absl::string_view extra_label, absl::string_view value) {
  absl::StrAppend(out_, name, suffix);
  if (!labels.empty() || !extra_label.empty()) {
    absl::StrAppend(out_, "{", labels, !labels.empty() && !extra_label.empty() ? "," : "",
                    extra_label, "}");
  }
  absl::StrAppend(out_, " ", value, "\n");
}

void TextWriter::Sample(absl::string_view name, absl::string_view labels, uint64_t value) {
  Line(name, "", labels, "", absl::StrCat(value));
}

void TextWriter::Sample(absl::string_view name, absl::string_view labels, int64_t value) {
  Line(name, "", labels, "", absl::StrCat(value));
}

void TextWriter::Sample(absl::string_view name, absl::string_view labels, double value) {
  Line(name, "", labels, "", FormatValue(value));
}

void TextWriter::Histogram(absl::string_view name, absl::string_view labels,
                           absl::Span<const double> bounds, absl::Span<const uint64_t> counts,
                           double sum) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string le = i < bounds.size() ? FormatValue(bounds[i]) : "+Inf";
    Line(name, "_bucket", labels, absl::StrCat("le=\"", le, "\""), absl::StrCat(cumulative));
  }
  Line(name, "_sum", labels, "", FormatValue(sum));
  Line(name, "_count", labels, "", absl::StrCat(cumulative));
}

}  // namespace backinstock::metrics
