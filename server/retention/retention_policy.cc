#include "server/retention/retention_policy.h"

#include "server/store/expiry_index.h"

namespace backinstock::retention {

bool RetentionPolicy::Expired(const store::NotificationRequestRecord& record,
                              absl::Time now) const {
  std::optional<store::RetentionClock> clock = store::RetentionClockOf(record);
  if (!clock) return false;
  const absl::Time cutoff =
      clock->kind == store::RetentionClock::Kind::kOpen ? ReceivedBefore(now) : SettledBefore(now);
  return clock->since < cutoff;
}

}  // namespace backinstock::retention
