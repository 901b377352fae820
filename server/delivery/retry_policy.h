// When a temporarily failed email is tried again, and when it is given up:
// exponential backoff with jitter between --delivery_retry_initial and
// --delivery_retry_max, until --delivery_max_attempts or --delivery_max_age.
#ifndef BACKINSTOCK_SERVER_DELIVERY_RETRY_POLICY_H_
#define BACKINSTOCK_SERVER_DELIVERY_RETRY_POLICY_H_

#include "absl/random/bit_gen_ref.h"
#include "absl/random/random.h"
#include "absl/time/time.h"

namespace backinstock::delivery {

struct RetryPolicy {
  int max_attempts = 10;
  absl::Duration max_age = absl::Hours(24);
  absl::Duration initial = absl::Seconds(1);
  absl::Duration max = absl::Minutes(10);

  // The wait before the attempt after `attempts` failed ones (attempts >= 1):
  // initial * 2^(attempts-1), capped at `max`, then a uniformly random
  // point in its upper half ("equal jitter"), so that emails that failed
  // together (a relay restart) do not all come back at the same instant,
  // while none comes back much sooner than the backoff says.
  absl::Duration Delay(int attempts, absl::BitGenRef random) const;

  // Whether an email that has failed `attempts` times, queued at `queued`,
  // is given up at `now` instead of being tried again.
  bool GivesUp(int attempts, absl::Time queued, absl::Time now) const {
    return attempts >= max_attempts || now - queued >= max_age;
  }
};

}  // namespace backinstock::delivery

#endif  // BACKINSTOCK_SERVER_DELIVERY_RETRY_POLICY_H_
