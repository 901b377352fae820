#include "tests/support/smtp_relay.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/support/child_process.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

constexpr absl::string_view kReady = "smtp-relay listening on ";

bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

std::string SourcePath(const std::string& relative) {
  return absl::StrCat(BACKINSTOCK_SOURCE_DIR, "/", relative);
}

absl::StatusOr<std::unique_ptr<SmtpRelay>> SmtpRelay::Start(Options options) {
  std::unique_ptr<SmtpRelay> relay(new SmtpRelay());
  relay->directory_ = TempPath("smtp-relay");
  std::error_code error;
  if (!std::filesystem::create_directory(relay->directory_, error)) {
    return absl::InternalError(absl::StrCat("cannot create ", relay->directory_));
  }
  relay->stdout_path_ = relay->directory_ + ".stdout";
  relay->stderr_path_ = relay->directory_ + ".stderr";
  std::vector<std::string> argv = {"/usr/bin/python3", SourcePath("tests/support/smtp_relay.py"),
                                   "--dir", relay->directory_};
  for (const std::string& rule : options.rules) {
    argv.push_back("--rule");
    argv.push_back(rule);
  }
  if (!options.auth.empty()) argv.push_back(absl::StrCat("--auth=", options.auth));
  if (options.port != 0) argv.push_back(absl::StrCat("--port=", options.port));
  const int out = open(relay->stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err = open(relay->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0 || err < 0) return absl::InternalError("cannot create the relay's output files");
  absl::StatusOr<pid_t> pid = SpawnChild(argv, {{"PYTHONUNBUFFERED", "1"}}, out, err);
  close(out);
  close(err);
  if (!pid.ok()) return pid.status();
  relay->pid_ = *pid;

  const absl::Time deadline = absl::Now() + options.ready_timeout;
  for (;;) {
    const std::string text = ReadWholeFile(relay->stdout_path_);
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      if (!absl::StartsWith(line, kReady) || !absl::StrContains(text, '\n')) continue;
      const absl::string_view address = line.substr(kReady.size());
      if (!absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &relay->port_)) {
        return absl::InternalError(absl::StrCat("bad readiness line: ", line));
      }
      return relay;
    }
    if (Exited(relay->pid_)) {
      relay->pid_ = -1;
      return absl::FailedPreconditionError(absl::StrCat(
          "the SMTP relay exited before it was ready: ", ReadWholeFile(relay->stderr_path_)));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat("the SMTP relay did not become ready: ",
                                                      ReadWholeFile(relay->stderr_path_)));
    }
    // Polling a file for the line the child has not written yet.
    absl::SleepFor(absl::Milliseconds(5));
  }
}

SmtpRelay::~SmtpRelay() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!Exited(pid_)) {
      if (absl::Now() > deadline) {
        kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));  // polling the child's exit
    }
  }
  std::error_code error;
  std::filesystem::remove_all(directory_, error);
  unlink(stdout_path_.c_str());
  unlink(stderr_path_.c_str());
}

std::string SmtpRelay::url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }

std::vector<std::string> SmtpRelay::Messages() const {
  std::vector<std::string> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
    if (entry.path().extension() == ".eml") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

bool SmtpRelay::Holds(size_t count) const {
  if (count == 0) return true;
  std::error_code error;
  return std::filesystem::exists(absl::StrFormat("%s/%04d.eml", directory_, count), error);
}

std::vector<std::string> SmtpRelay::Refusals() const {
  std::vector<std::string> lines;
  const std::string text = ReadWholeFile(directory_ + "/refused.log");
  // A line still being written has no newline yet: left for the next read.
  const size_t complete = text.rfind('\n');
  if (complete == std::string::npos) return lines;
  for (absl::string_view line : absl::StrSplit(absl::string_view(text).substr(0, complete), '\n')) {
    lines.emplace_back(line);
  }
  return lines;
}

}  // namespace backinstock::testing
