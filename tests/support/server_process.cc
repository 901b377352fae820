#include "tests/support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/test_server.h"

extern char** environ;

namespace backinstock::testing {
namespace {

constexpr absl::string_view kReady = "backinstock-server listening on ";

// Forks and execs the server with stdout to `stdout_fd` and stderr to a file.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            int stdout_fd, const std::string& stderr_path) {
  std::vector<std::string> argv_storage = {ServerBinaryPath()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    // Children start from a clean BACKINSTOCK_* slate: only what the test sets.
    if (!absl::StartsWith(*e, "BACKINSTOCK_")) env_storage.emplace_back(*e);
  }
  for (const auto& [key, value] : env) env_storage.push_back(absl::StrCat(key, "=", value));
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const int stderr_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (stderr_fd < 0) return absl::InternalError(absl::StrCat("open ", stderr_path));
  const pid_t pid = fork();
  if (pid < 0) {
    close(stderr_fd);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    dup2(stdout_fd, STDOUT_FILENO);
    dup2(stderr_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(stderr_fd);
  return pid;
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

std::string ServerBinaryPath() { return BACKINSTOCK_SERVER_BINARY; }

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(Options options) {
  bool has_listen = false;
  for (const auto& arg : options.args) has_listen |= absl::StartsWith(arg, "--listen");
  if (!has_listen) options.args.push_back("--listen=127.0.0.1:0");

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return absl::InternalError("pipe failed");
  std::unique_ptr<ServerProcess> process(new ServerProcess());
  process->stderr_path_ = TempPath("server-stderr");
  absl::StatusOr<pid_t> pid = Spawn(options.args, options.env, pipe_fds[1], process->stderr_path_);
  close(pipe_fds[1]);
  if (!pid.ok()) {
    close(pipe_fds[0]);
    return pid.status();
  }
  process->pid_ = *pid;

  // Read stdout until the readiness line, the child's exit, or the timeout.
  std::string out;
  const absl::Time deadline = absl::Now() + options.ready_timeout;
  while (true) {
    const size_t newline = out.find('\n');
    if (newline != std::string::npos) {
      const std::string line = out.substr(0, newline);
      out.erase(0, newline + 1);
      if (absl::StartsWith(line, kReady)) {
        const std::string address = line.substr(kReady.size());
        int port = 0;
        if (!absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) {
          close(pipe_fds[0]);
          return absl::InternalError(absl::StrCat("bad readiness line: ", line));
        }
        process->port_ = port;
        break;
      }
      continue;
    }
    const int64_t remaining_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (remaining_ms <= 0) {
      close(pipe_fds[0]);
      return absl::DeadlineExceededError(
          absl::StrCat("server did not become ready: ", process->Stderr()));
    }
    pollfd fd{pipe_fds[0], POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(remaining_ms)) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) {
      close(pipe_fds[0]);
      int status = 0;
      waitpid(process->pid_, &status, 0);
      process->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("server exited before it was ready: ", process->Stderr()));
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  // Later stdout output is not read; closing our end is safe because the
  // server prints nothing more to stdout.
  close(pipe_fds[0]);
  return process;
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

absl::StatusOr<int> ServerProcess::Stop(int signal, absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, signal);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return status;
    }
    absl::SleepFor(absl::Milliseconds(10));  // polling the child's exit, not synchronising
  }
  return absl::DeadlineExceededError("server did not exit in time");
}

std::string ServerProcess::Stderr() const { return ReadWhole(stderr_path_); }

absl::StatusOr<std::pair<int, std::string>> RunServerToExit(
    const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string stderr_path = TempPath("server-exit-stderr");
  const int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
  absl::StatusOr<pid_t> pid = Spawn(args, env, devnull, stderr_path);
  close(devnull);
  if (!pid.ok()) return pid.status();
  int status = 0;
  waitpid(*pid, &status, 0);
  std::string err = ReadWhole(stderr_path);
  unlink(stderr_path.c_str());
  return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), err);
}

}  // namespace backinstock::testing
