// Waiting for a state another thread or process brings about (never for a
// bare duration): polls `condition` until it holds or `timeout` passes.
// The timeout only bounds a test that would otherwise hang; nothing asserts
// on how long the wait took.
#ifndef BACKINSTOCK_TESTS_SUPPORT_EVENTUALLY_H_
#define BACKINSTOCK_TESTS_SUPPORT_EVENTUALLY_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace backinstock::testing {

// True once `condition()` holds; false if it still does not after `timeout`.
template <typename Condition>
bool Eventually(Condition condition, absl::Duration timeout = absl::Seconds(30),
                absl::Duration poll = absl::Milliseconds(10)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(poll);
  }
  return true;
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_EVENTUALLY_H_
