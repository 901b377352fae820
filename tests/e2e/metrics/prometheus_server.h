// A real Prometheus server for tests: Debian's /usr/bin/prometheus on a free
// loopback port with a temporary TSDB, scraping one target every second.
// Start waits until it reports ready (no sleeps); the destructor stops it and
// removes its files.
#ifndef BACKINSTOCK_TESTS_E2E_METRICS_PROMETHEUS_SERVER_H_
#define BACKINSTOCK_TESTS_E2E_METRICS_PROMETHEUS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backinstock::testing {

class PrometheusServer {
 public:
  static constexpr char kBinary[] = "/usr/bin/prometheus";
  static bool Available();

  // Scrapes http://`target`/metrics (target: "127.0.0.1:port") as job
  // "backinstock".
  static absl::StatusOr<std::unique_ptr<PrometheusServer>> Start(
      const std::string& target, absl::Duration ready_timeout = absl::Seconds(60));
  ~PrometheusServer();

  // The value of an instant query whose answer is one sample; NOT_FOUND while
  // it has none (nothing scraped yet).
  absl::StatusOr<double> QueryOne(const std::string& expression) const;

  std::string Log() const;

 private:
  PrometheusServer() = default;

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_METRICS_PROMETHEUS_SERVER_H_
