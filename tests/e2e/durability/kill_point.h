// The kill point of the crash tests: a write load on several client threads,
// and a SIGKILL of the server once a chosen number of writes were acknowledged
// (the clients go on writing until their calls fail).
#ifndef BACKINSTOCK_TESTS_E2E_DURABILITY_KILL_POINT_H_
#define BACKINSTOCK_TESTS_E2E_DURABILITY_KILL_POINT_H_

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <functional>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "tests/support/server_process.h"

namespace backinstock::testing {

// Runs `client(thread, acknowledge)` on `threads` threads. A client calls
// `acknowledge()` after every write the server confirmed and returns once a
// call fails. When `acks` writes were acknowledged (or every client stopped),
// SIGKILLs `server`, joins the clients and checks the server died of it.
inline void LoadUntilKilled(
    ServerProcess& server, int threads, int acks,
    const std::function<void(int thread, const std::function<void()>& acknowledge)>& client) {
  absl::Mutex mu;
  int acknowledged = 0;
  int running = threads;
  const std::function<void()> acknowledge = [&] {
    absl::MutexLock lock(&mu);
    ++acknowledged;
  };
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      client(t, acknowledge);
      absl::MutexLock lock(&mu);
      --running;
    });
  }
  {
    absl::MutexLock lock(&mu);
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return acknowledged >= acks || running == 0;
    };
    mu.Await(absl::Condition(&reached));
    EXPECT_GE(acknowledged, acks) << "the clients stopped before the kill";
  }
  absl::StatusOr<int> killed = server.Stop(SIGKILL);
  for (auto& thread : clients) thread.join();
  ASSERT_TRUE(killed.ok()) << killed.status();
  EXPECT_TRUE(WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL);
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_DURABILITY_KILL_POINT_H_
