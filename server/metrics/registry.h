// The metrics of one server: families of counters, gauges and histograms,
// registered once (at startup) and then updated lock-free by whoever holds a
// pointer to them; Render() writes the whole page for a scrape.
//
// Children are created only at registration, with label values the caller
// picks from a bounded set: nothing on a call's path looks a series up.
#ifndef BACKINSTOCK_SERVER_METRICS_REGISTRY_H_
#define BACKINSTOCK_SERVER_METRICS_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/counter.h"
#include "server/metrics/exposition.h"
#include "server/metrics/gauge.h"
#include "server/metrics/histogram.h"

namespace backinstock::metrics {

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The series of family `name` with `labels` (created on first use; the same
  // pointer for the same labels). The first call for a name fixes its help,
  // type (and buckets); a later call that disagrees, or an invalid metric or
  // label name, is a programming error and aborts with a message.
  Counter* AddCounter(absl::string_view name, absl::string_view help, const Labels& labels = {});
  Gauge* AddGauge(absl::string_view name, absl::string_view help, const Labels& labels = {});
  Histogram* AddHistogram(absl::string_view name, absl::string_view help,
                          std::vector<double> bounds, const Labels& labels = {});

  // Families computed at scrape time (the process_* figures): `collect`
  // writes whole families, after the registered ones.
  void AddCollector(std::function<void(TextWriter&)> collect);

  // The page, families in registration order.
  std::string Render() const;

 private:
  struct Child {
    std::string labels;  // rendered once
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::vector<double> bounds;
    std::vector<Child> children;
  };

  Child& ChildOf(absl::string_view name, absl::string_view help, Type type,
                 const std::vector<double>& bounds, const Labels& labels)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Family*> by_name_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void(TextWriter&)>> collectors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_REGISTRY_H_
