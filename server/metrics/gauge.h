// A value that goes up and down (Prometheus "gauge"): open streams, queue
// depth. One atomic, not sharded: gauges here move on events (a stream opens,
// a notification is claimed), not on every call, and a Set must be exact.
#ifndef BACKINSTOCK_SERVER_METRICS_GAUGE_H_
#define BACKINSTOCK_SERVER_METRICS_GAUGE_H_

#include <atomic>
#include <cstdint>

namespace backinstock::metrics {

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Add(int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  void Set(int64_t value) { value_.store(value, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_GAUGE_H_
