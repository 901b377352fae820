// An event that is set once and that any number of threads wait for: the
// journal's writers wait on their batch's event until the batch is durable.
//
// Why not an absl::Mutex condition or a condition variable: both make every
// woken thread take the lock again, so a batch of N writers wakes one after
// another, each handing the lock to the next (N context switches in a chain,
// plus contention with the writers of the next batch). Here Set() wakes every
// waiter with a single futex call, and a woken thread returns without taking
// any lock. Linux only, like the rest of the journal (fdatasync, flock).
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_ONE_SHOT_EVENT_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_ONE_SHOT_EVENT_H_

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

namespace backinstock::store::journal {

class OneShotEvent {
 public:
  OneShotEvent() = default;
  OneShotEvent(const OneShotEvent&) = delete;
  OneShotEvent& operator=(const OneShotEvent&) = delete;

  // Sets the event (once) and wakes every waiter. Everything the setting
  // thread wrote before is visible to a thread that returns from Wait().
  void Set() {
    if (state_.exchange(kSet, std::memory_order_acq_rel) == kWaitedFor) {
      Futex(FUTEX_WAKE_PRIVATE, INT_MAX);
    }
  }

  // Returns once the event is set.
  void Wait() {
    uint32_t state = state_.load(std::memory_order_acquire);
    while (state != kSet) {
      // Announce a sleeper, so that Set() knows it has someone to wake.
      if (state == kUnset &&
          !state_.compare_exchange_weak(state, kWaitedFor, std::memory_order_acquire)) {
        continue;  // `state` was reloaded: set meanwhile, or another waiter announced
      }
      // Sleeps only while the state is still "waited for"; returns at once
      // if Set() came first, and may return spuriously (EINTR): re-check.
      Futex(FUTEX_WAIT_PRIVATE, kWaitedFor);
      state = state_.load(std::memory_order_acquire);
    }
  }

  bool IsSet() const { return state_.load(std::memory_order_acquire) == kSet; }

 private:
  static constexpr uint32_t kUnset = 0;
  static constexpr uint32_t kWaitedFor = 1;  // unset, and at least one thread may sleep on it
  static constexpr uint32_t kSet = 2;

  void Futex(int op, uint32_t value) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&state_), op, value, nullptr, nullptr, 0);
  }

  // The futex word: std::atomic<uint32_t> has the size and alignment of a
  // uint32_t on Linux (checked below).
  std::atomic<uint32_t> state_{kUnset};
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
};

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_ONE_SHOT_EVENT_H_
