// How long notification requests are kept: settled ones
// (NOTIFICATION_SENT, FAILED) for `settled` after they settled, RECEIVED ones
// for `open` after they were created; a zero period keeps them forever.
// PROCESSING requests (an email on its way) are never expired.
#ifndef BACKINSTOCK_SERVER_RETENTION_RETENTION_POLICY_H_
#define BACKINSTOCK_SERVER_RETENTION_RETENTION_POLICY_H_

#include "absl/time/time.h"
#include "server/store/notification_request_store.h"

namespace backinstock::retention {

struct RetentionPolicy {
  absl::Duration settled = absl::Hours(24 * 90);
  absl::Duration open = absl::Hours(24 * 365);

  // Whether anything is ever swept.
  bool enabled() const { return settled > absl::ZeroDuration() || open > absl::ZeroDuration(); }
  // The store's cutoffs at `now` (absl::InfinitePast(): none of that kind).
  absl::Time SettledBefore(absl::Time now) const {
    return settled > absl::ZeroDuration() ? now - settled : absl::InfinitePast();
  }
  absl::Time ReceivedBefore(absl::Time now) const {
    return open > absl::ZeroDuration() ? now - open : absl::InfinitePast();
  }
  // Whether `record`, as it is now, is past its period at `now`.
  bool Expired(const store::NotificationRequestRecord& record, absl::Time now) const;
};

}  // namespace backinstock::retention

#endif  // BACKINSTOCK_SERVER_RETENTION_RETENTION_POLICY_H_
