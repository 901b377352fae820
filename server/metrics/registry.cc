#include "server/metrics/registry.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace backinstock::metrics {
namespace {

// Registration happens at startup with names written in the code: a mistake
// there is a bug to fix, not a condition to handle.
[[noreturn]] void Misuse(const std::string& what) {
  std::fprintf(stderr, "metrics registry misuse: %s\n", what.c_str());
  std::abort();
}

bool ValidBounds(const std::vector<double>& bounds) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) return false;
    if (i > 0 && !(bounds[i - 1] < bounds[i])) return false;
  }
  return true;
}

}  // namespace

Registry::Child& Registry::ChildOf(absl::string_view name, absl::string_view help, Type type,
                                   const std::vector<double>& bounds, const Labels& labels) {
  if (!IsValidMetricName(name)) Misuse(absl::StrCat("invalid metric name \"", name, "\""));
  for (const auto& [label, value] : labels) {
    if (!IsValidLabelName(label) || (type == Type::kHistogram && label == "le")) {
      Misuse(absl::StrCat(name, ": invalid label name \"", label, "\""));
    }
  }
  if (type == Type::kHistogram && !ValidBounds(bounds)) {
    Misuse(absl::StrCat(name, ": bucket bounds must be finite and increasing"));
  }
  Family*& family = by_name_[name];
  if (family == nullptr) {
    families_.push_back(
        std::make_unique<Family>(Family{std::string(name), std::string(help), type, bounds, {}}));
    family = families_.back().get();
  } else if (family->type != type || family->help != help || family->bounds != bounds) {
    Misuse(absl::StrCat(name, ": registered again with another type, help or buckets"));
  }
  std::string rendered = RenderLabels(labels);
  for (Child& child : family->children) {
    if (child.labels == rendered) return child;
  }
  family->children.push_back(Child{std::move(rendered), nullptr, nullptr, nullptr});
  return family->children.back();
}

Counter* Registry::AddCounter(absl::string_view name, absl::string_view help,
                              const Labels& labels) {
  absl::MutexLock lock(&mu_);
  Child& child = ChildOf(name, help, Type::kCounter, {}, labels);
  if (!child.counter) child.counter = std::make_unique<Counter>();
  return child.counter.get();
}

Gauge* Registry::AddGauge(absl::string_view name, absl::string_view help, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  Child& child = ChildOf(name, help, Type::kGauge, {}, labels);
  if (!child.gauge) child.gauge = std::make_unique<Gauge>();
  return child.gauge.get();
}

Histogram* Registry::AddHistogram(absl::string_view name, absl::string_view help,
                                  std::vector<double> bounds, const Labels& labels) {
  absl::MutexLock lock(&mu_);
  Child& child = ChildOf(name, help, Type::kHistogram, bounds, labels);
  if (!child.histogram) child.histogram = std::make_unique<Histogram>(std::move(bounds));
  return child.histogram.get();
}

void Registry::AddCollector(std::function<void(TextWriter&)> collect) {
  absl::MutexLock lock(&mu_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Render() const {
  std::string page;
  TextWriter writer(&page);
  // The lock keeps registration out; updates go on meanwhile.
  absl::MutexLock lock(&mu_);
  for (const auto& family : families_) {
    writer.Family(family->name, family->help, family->type);
    for (const Child& child : family->children) {
      switch (family->type) {
        case Type::kCounter:
          writer.Sample(family->name, child.labels, child.counter->Value());
          break;
        case Type::kGauge:
          writer.Sample(family->name, child.labels, child.gauge->Value());
          break;
        case Type::kHistogram: {
          const Histogram::Snapshot snapshot = child.histogram->Read();
          writer.Histogram(family->name, child.labels, family->bounds, snapshot.counts,
                           snapshot.sum);
          break;
        }
      }
    }
  }
  for (const auto& collect : collectors_) collect(writer);
  return page;
}

}  // namespace backinstock::metrics
