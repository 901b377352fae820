// Ctrl-C and SIGTERM for backinstockctl. Watch commands end their stream
// cleanly on the first signal (exit code 0, every line printed so far is
// complete); anything else, or a second signal, exits at once with 130.
#ifndef BACKINSTOCK_CLIENT_CTL_INTERRUPTS_H_
#define BACKINSTOCK_CLIENT_CTL_INTERRUPTS_H_

#include <functional>

namespace backinstock::ctl {

// Call first thing in main, before gRPC starts threads: blocks SIGINT and
// SIGTERM in every thread and leaves them to one waiting thread.
void InstallInterruptHandling();

// While the returned scope lives, the first signal runs `on_interrupt` (from
// the waiting thread) instead of exiting.
class OnInterrupt {
 public:
  explicit OnInterrupt(std::function<void()> on_interrupt);
  ~OnInterrupt();
  OnInterrupt(const OnInterrupt&) = delete;
  OnInterrupt& operator=(const OnInterrupt&) = delete;

  // Whether a signal arrived while this scope lived.
  bool interrupted() const;
};

}  // namespace backinstock::ctl

#endif  // BACKINSTOCK_CLIENT_CTL_INTERRUPTS_H_
