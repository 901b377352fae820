// Every metric family of the server (docs/operations.md, "Metrics"), registered at startup in one
// registry. Server wiring hands each component a pointer to the part it
// updates; a server without --metrics_listen builds none of this, and the
// components then skip counting altogether.
#ifndef BACKINSTOCK_SERVER_METRICS_SERVICE_METRICS_H_
#define BACKINSTOCK_SERVER_METRICS_SERVICE_METRICS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/metrics/auth_metrics.h"
#include "server/metrics/grpc_server_metrics.h"
#include "server/metrics/notification_metrics.h"
#include "server/metrics/registry.h"

namespace backinstock::metrics {

class ServiceMetrics {
 public:
  // `grpc_services`: full names of the services the server registers.
  explicit ServiceMetrics(const std::vector<std::string>& grpc_services);

  const Registry& registry() const { return registry_; }
  const GrpcServerMetrics& grpc() const { return grpc_; }
  const AuthMetrics& auth() const { return auth_; }
  const NotificationMetrics& notifications() const { return notifications_; }

  // fdatasync latency of one journal ("settings" or "requests").
  Histogram* JournalFsyncSeconds(absl::string_view journal);
  Histogram* etcd_txn_seconds() const { return etcd_txn_seconds_; }
  Histogram* etcd_txn_group_size() const { return etcd_txn_group_size_; }
  Gauge* watch_streams_open() const { return watch_streams_open_; }

  // Requests the retention sweep of this process deleted, by kind ("settled":
  // NOTIFICATION_SENT and FAILED, "open": RECEIVED). Call at startup.
  Counter* RetentionDeleted(absl::string_view kind);

 private:
  Registry registry_;
  const GrpcServerMetrics grpc_;
  const AuthMetrics auth_;
  const NotificationMetrics notifications_;
  Histogram* const etcd_txn_seconds_;
  Histogram* const etcd_txn_group_size_;
  Gauge* const watch_streams_open_;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_SERVICE_METRICS_H_
