#include "server/delivery/retry_policy.h"

#include <algorithm>

namespace backinstock::delivery {

absl::Duration RetryPolicy::Delay(int attempts, absl::BitGenRef random) const {
  absl::Duration backoff = std::max(initial, absl::Milliseconds(1));
  // Doubling past `max` stops early, so large attempt counts cannot overflow.
  for (int i = 1; i < attempts && backoff < max; ++i) backoff *= 2;
  backoff = std::min(backoff, std::max(max, initial));
  const double half = absl::ToDoubleSeconds(backoff) / 2;
  return absl::Seconds(half + absl::Uniform(random, 0.0, half));
}

}  // namespace backinstock::delivery
