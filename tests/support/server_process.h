// Runs the real backinstock-server binary as a child process on a free
// loopback port, for tests of the process itself (signals, flags, environment,
// restarts). Waits on the readiness line, never on a sleep.
#ifndef BACKINSTOCK_TESTS_SUPPORT_SERVER_PROCESS_H_
#define BACKINSTOCK_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backinstock::testing {

// The path of the server binary under test (set by CMake).
std::string ServerBinaryPath();

class ServerProcess {
 public:
  struct Options {
    std::vector<std::string> args;  // --listen=127.0.0.1:0 is added unless given
    std::vector<std::pair<std::string, std::string>> env;  // added to the environment
    absl::Duration ready_timeout = absl::Seconds(30);
  };

  // Starts the server and waits for "backinstock-server listening on ...".
  // Fails (and reaps the child) if it exits or stays silent instead.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(Options options);

  ~ServerProcess();  // SIGKILLs and reaps the child if it still runs

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits (up to `timeout`) for the exit; returns the raw
  // wait status (use WIFEXITED / WEXITSTATUS), or an error on timeout.
  absl::StatusOr<int> Stop(int signal, absl::Duration timeout = absl::Seconds(30));

  // Everything the server wrote to stderr / stdout so far.
  std::string Stderr() const;
  std::string Stdout() const;

  // The port of --metrics_listen, from the startup line "metrics on
  // http://127.0.0.1:PORT/metrics"; 0 when the server printed none.
  int MetricsPort() const;

 private:
  ServerProcess() = default;

  pid_t pid_ = -1;
  int port_ = 0;
  std::string stdout_path_;
  std::string stderr_path_;
  std::string owned_mail_dir_;  // --mail_dir added by Start, removed with the process
};

// Runs the server binary to completion with `args` (for flag validation
// tests); returns its exit code and stderr.
absl::StatusOr<std::pair<int, std::string>> RunServerToExit(
    const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& env = {});

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_SERVER_PROCESS_H_
