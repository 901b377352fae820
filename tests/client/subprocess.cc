#include "tests/client/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/child_process.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

// Starts `argv`; -1 when it could not be started (reported as exit code -1).
pid_t Spawn(const std::vector<std::string>& argv,
            const std::vector<std::pair<std::string, std::string>>& env, int out_fd, int err_fd) {
  absl::StatusOr<pid_t> pid = SpawnChild(argv, env, out_fd, err_fd);
  return pid.ok() ? *pid : -1;
}

std::string ReadAndRemove(const std::string& path) {
  std::string contents = ReadWholeFile(path);
  unlink(path.c_str());
  return contents;
}

}  // namespace

Completed RunProgram(const std::vector<std::string>& argv,
                     const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string out_path = TempPath("run-out");
  const std::string err_path = TempPath("run-err");
  const int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  Completed completed;
  const pid_t pid = Spawn(argv, env, out_fd, err_fd);
  close(out_fd);
  close(err_fd);
  if (pid > 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    completed.exit_code = ExitCodeOf(status);
  }
  completed.out = ReadAndRemove(out_path);
  completed.err = ReadAndRemove(err_path);
  return completed;
}

Background::Background(const std::vector<std::string>& argv,
                       const std::vector<std::pair<std::string, std::string>>& env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;
  const int err_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_ = Spawn(argv, env, fds[1], err_fd);
  close(fds[1]);
  close(err_fd);
  out_ = fdopen(fds[0], "r");
}

Background::~Background() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    Wait();
  }
  if (out_ != nullptr) fclose(out_);
}

std::optional<std::string> Background::ReadLine() {
  if (out_ == nullptr) return std::nullopt;
  std::string line;
  for (int c = fgetc(out_); c != EOF; c = fgetc(out_)) {
    if (c == '\n') return line;
    line.push_back(static_cast<char>(c));
  }
  if (line.empty()) return std::nullopt;
  return line;
}

void Background::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

int Background::Wait() {
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return ExitCodeOf(status);
}

}  // namespace backinstock::testing
