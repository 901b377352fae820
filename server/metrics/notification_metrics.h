// The report path's figures:
//   backinstock_notifications_total{outcome="sent"|"failed"|"retried"}
//   backinstock_delivery_queue_depth: notifications this process claimed
//   (PROCESSING) and has not finished with yet.
// A default-constructed one counts nothing (metrics off), so the domain code
// calls it unconditionally.
#ifndef BACKINSTOCK_SERVER_METRICS_NOTIFICATION_METRICS_H_
#define BACKINSTOCK_SERVER_METRICS_NOTIFICATION_METRICS_H_

#include <cstdint>

#include "server/metrics/registry.h"

namespace backinstock::metrics {

class NotificationMetrics {
 public:
  NotificationMetrics() = default;
  explicit NotificationMetrics(Registry& registry);

  // `count` requests were moved to PROCESSING by this process.
  void Claimed(int64_t count) const {
    if (depth_) depth_->Add(count);
  }
  // A claimed request left this process's hands: sent, failed, or given up
  // (deleted or taken over meanwhile).
  void Sent() const { Finished(sent_); }
  void Failed() const { Finished(failed_); }
  void Dropped() const { Finished(nullptr); }
  // An attempt failed and the request stays queued for another.
  void Retried() const {
    if (retried_) retried_->Increment();
  }

 private:
  void Finished(Counter* outcome) const {
    if (outcome) outcome->Increment();
    if (depth_) depth_->Add(-1);
  }

  Counter* sent_ = nullptr;
  Counter* failed_ = nullptr;
  Counter* retried_ = nullptr;
  Gauge* depth_ = nullptr;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_NOTIFICATION_METRICS_H_
