// For the retention end-to-end tests: the real server started with retention
// flags, its metrics page, and the DELETED events of a site's event stream.
#ifndef BACKINSTOCK_TESTS_E2E_RETENTION_RETENTION_E2E_UTIL_H_
#define BACKINSTOCK_TESTS_E2E_RETENTION_RETENTION_E2E_UTIL_H_

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"

namespace backinstock::testing {

// The value of `series` (name and labels, as printed) on the server's
// metrics page; -1 when the page or the series cannot be read.
double MetricValue(int metrics_port, const std::string& series);

// The ids of the DELETED events of the caller's site, read by a thread of its
// own from WatchNotificationRequestEvents until destroyed.
class DeletedEvents {
 public:
  using Event = v1::WatchNotificationRequestEventsResponse;

  DeletedEvents(std::shared_ptr<grpc::Channel> channel, const Credentials& owner);
  ~DeletedEvents();

  std::set<std::string> ids() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  std::unique_ptr<RequestCalls::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<Event>> reader_;
  mutable absl::Mutex mu_;
  std::set<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

// Whether request `id` exists (Get answers it); errors other than NOT_FOUND
// fail the test.
bool Exists(RequestCalls& calls, const Credentials& owner, const std::string& id);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_RETENTION_RETENTION_E2E_UTIL_H_
