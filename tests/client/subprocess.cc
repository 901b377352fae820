#include "tests/client/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/support/test_server.h"

extern char** environ;

namespace backinstock::testing {
namespace {

// Forks and execs; the child's stdout and stderr go to the given fds.
pid_t Spawn(const std::vector<std::string>& argv_in,
            const std::vector<std::pair<std::string, std::string>>& env, int out_fd, int err_fd) {
  std::vector<std::string> argv_storage = argv_in;
  std::vector<char*> argv;
  for (auto& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!absl::StartsWith(*e, "BACKINSTOCK_")) env_storage.emplace_back(*e);
  }
  for (const auto& [key, value] : env) env_storage.push_back(absl::StrCat(key, "=", value));
  std::vector<char*> envp;
  for (auto& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadAndRemove(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  unlink(path.c_str());
  return contents.str();
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
    completed.exit_code = ExitCode(status);
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
  return ExitCode(status);
}

}  // namespace backinstock::testing
