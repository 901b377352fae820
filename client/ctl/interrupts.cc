#include "client/ctl/interrupts.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::ctl {
namespace {

absl::Mutex mu;
std::function<void()> g_handler ABSL_GUARDED_BY(mu);  // empty: exit at once
bool g_interrupted ABSL_GUARDED_BY(mu) = false;

sigset_t Signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

void WaitForSignals() {
  const sigset_t signals = Signals();
  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    // The handler runs under the lock, so that ~OnInterrupt() waits for it
    // and whatever it touches is still alive.
    absl::MutexLock lock(&mu);
    if (!g_handler || g_interrupted) _exit(130);
    g_interrupted = true;
    g_handler();
  }
}

}  // namespace

void InstallInterruptHandling() {
  const sigset_t signals = Signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread(WaitForSignals).detach();
}

OnInterrupt::OnInterrupt(std::function<void()> on_interrupt) {
  absl::MutexLock lock(&mu);
  g_handler = std::move(on_interrupt);
  g_interrupted = false;
}

OnInterrupt::~OnInterrupt() {
  absl::MutexLock lock(&mu);
  g_handler = nullptr;
}

bool OnInterrupt::interrupted() const {
  absl::MutexLock lock(&mu);
  return g_interrupted;
}

}  // namespace backinstock::ctl
