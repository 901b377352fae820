#include "tests/support/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/support/child_process.h"
#include "tests/support/maildir.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

constexpr absl::string_view kReady = "backinstock-server listening on ";

// Starts the server with stdout to `stdout_fd` and stderr to a new file.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            int stdout_fd, const std::string& stderr_path) {
  std::vector<std::string> argv = {ServerBinaryPath()};
  argv.insert(argv.end(), args.begin(), args.end());
  const int stderr_fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (stderr_fd < 0) return absl::InternalError(absl::StrCat("open ", stderr_path));
  absl::StatusOr<pid_t> pid = SpawnChild(argv, env, stdout_fd, stderr_fd);
  close(stderr_fd);
  return pid;
}

}  // namespace

std::string ServerBinaryPath() { return BACKINSTOCK_SERVER_BINARY; }

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(Options options) {
  bool has_listen = false;
  for (const auto& arg : options.args) has_listen |= absl::StartsWith(arg, "--listen");
  if (!has_listen) options.args.push_back("--listen=127.0.0.1:0");
  std::unique_ptr<ServerProcess> process(new ServerProcess());
  // Without a relay or a data directory the server would make a Maildir of its
  // own in /tmp and keep it: the test gets one that goes with the process.
  bool mail_elsewhere = false;
  for (const auto& arg : options.args) {
    mail_elsewhere |= absl::StartsWith(arg, "--mail_dir") || absl::StartsWith(arg, "--smtp_url") ||
                      absl::StartsWith(arg, "--data_dir");
  }
  for (const auto& [name, value] : options.env) {
    mail_elsewhere |= name == "BACKINSTOCK_MAIL_DIR" || name == "BACKINSTOCK_SMTP_URL" ||
                      name == "BACKINSTOCK_DATA_DIR";
  }
  if (!mail_elsewhere) {
    process->owned_mail_dir_ = TempPath("maildir");
    options.args.push_back("--mail_dir=" + process->owned_mail_dir_);
  }

  // stdout goes to a file (not a pipe) so that the server can keep writing to
  // it after the readiness line without anyone reading.
  process->stdout_path_ = TempPath("server-stdout");
  process->stderr_path_ = TempPath("server-stderr");
  const int stdout_fd =
      open(process->stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (stdout_fd < 0) return absl::InternalError("cannot create the stdout file");
  absl::StatusOr<pid_t> pid = Spawn(options.args, options.env, stdout_fd, process->stderr_path_);
  close(stdout_fd);
  if (!pid.ok()) return pid.status();
  process->pid_ = *pid;

  // Wait for the readiness line, the child's exit, or the timeout.
  const absl::Time deadline = absl::Now() + options.ready_timeout;
  for (;;) {
    const std::string out = process->Stdout();
    for (absl::string_view line : absl::StrSplit(out, '\n')) {
      if (!absl::StartsWith(line, kReady) || out.find('\n') == std::string::npos) continue;
      const absl::string_view address = line.substr(kReady.size());
      int port = 0;
      if (!absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) {
        return absl::InternalError(absl::StrCat("bad readiness line: ", line));
      }
      process->port_ = port;
      return process;
    }
    int status = 0;
    if (waitpid(process->pid_, &status, WNOHANG) == process->pid_) {
      process->pid_ = -1;
      return absl::FailedPreconditionError(
          absl::StrCat("server exited before it was ready: ", process->Stderr()));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("server did not become ready: ", process->Stderr()));
    }
    // Polling a file for a line the child has not written yet; the line, not
    // the interval, is the synchronisation.
    absl::SleepFor(absl::Milliseconds(5));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
  if (!stdout_path_.empty()) unlink(stdout_path_.c_str());
  if (!owned_mail_dir_.empty()) RemoveTree(owned_mail_dir_);
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

std::string ServerProcess::Stderr() const { return ReadWholeFile(stderr_path_); }

std::string ServerProcess::Stdout() const { return ReadWholeFile(stdout_path_); }

int ServerProcess::MetricsPort() const {
  const std::string out = Stdout();
  const std::string marker = "metrics on http://127.0.0.1:";
  const size_t at = out.find(marker);
  if (at == std::string::npos) return 0;
  const size_t start = at + marker.size();
  int port = 0;
  return absl::SimpleAtoi(out.substr(start, out.find('/', start) - start), &port) ? port : 0;
}

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
  std::string err = ReadWholeFile(stderr_path);
  unlink(stderr_path.c_str());
  return std::make_pair(ExitCodeOf(status), err);
}

}  // namespace backinstock::testing
