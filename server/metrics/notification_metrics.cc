#include "server/metrics/notification_metrics.h"

namespace backinstock::metrics {
namespace {

constexpr char kOutcomes[] = "backinstock_notifications_total";
constexpr char kOutcomesHelp[] =
    "Notification attempts by outcome: sent (accepted for delivery), failed (given up), retried "
    "(an attempt failed, another will follow).";

}  // namespace

NotificationMetrics::NotificationMetrics(Registry& registry)
    : sent_(registry.AddCounter(kOutcomes, kOutcomesHelp, {{"outcome", "sent"}})),
      failed_(registry.AddCounter(kOutcomes, kOutcomesHelp, {{"outcome", "failed"}})),
      retried_(registry.AddCounter(kOutcomes, kOutcomesHelp, {{"outcome", "retried"}})),
      depth_(registry.AddGauge("backinstock_delivery_queue_depth",
                               "Notification requests this process has claimed (PROCESSING) and "
                               "not yet settled.")) {}

}  // namespace backinstock::metrics
