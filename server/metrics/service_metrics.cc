#include "server/metrics/service_metrics.h"

#include "server/metrics/process_collector.h"

namespace backinstock::metrics {

ServiceMetrics::ServiceMetrics(const std::vector<std::string>& grpc_services)
    : grpc_(registry_, grpc_services),
      auth_(registry_),
      notifications_(registry_),
      etcd_txn_seconds_(registry_.AddHistogram(
          "backinstock_etcd_txn_seconds",
          "Latency of each transaction call to etcd (one round trip, possibly a group).",
          LatencySecondsBuckets())),
      etcd_txn_group_size_(registry_.AddHistogram(
          "backinstock_etcd_txn_group_size",
          "Writes carried by each transaction call to etcd (1 when sent alone).",
          PowersOfTwoBuckets(6))),
      watch_streams_open_(
          registry_.AddGauge("backinstock_watch_streams_open",
                             "Open WatchSettings and WatchNotificationRequestEvents streams.")) {
  registry_.AddCollector(CollectProcess);
}

Histogram* ServiceMetrics::JournalFsyncSeconds(absl::string_view journal) {
  return registry_.AddHistogram("backinstock_journal_fsync_seconds",
                                "Latency of each journal fdatasync (one group commit).",
                                LatencySecondsBuckets(), {{"journal", std::string(journal)}});
}

Counter* ServiceMetrics::RetentionDeleted(absl::string_view kind) {
  return registry_.AddCounter("backinstock_retention_deleted_total",
                              "Notification requests deleted by this process's retention sweep.",
                              {{"kind", std::string(kind)}});
}

}  // namespace backinstock::metrics
