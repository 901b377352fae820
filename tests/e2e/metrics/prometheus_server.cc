#include "tests/e2e/metrics/prometheus_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/metrics_client.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

std::string UrlEncode(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += absl::StrFormat("%%%02X", c);
    }
  }
  return out;
}

bool Exited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

}  // namespace

bool PrometheusServer::Available() { return access(kBinary, X_OK) == 0; }

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    const std::string& target, absl::Duration ready_timeout) {
  std::unique_ptr<PrometheusServer> server(new PrometheusServer());
  server->dir_ = TempPath("prometheus");
  if (mkdir(server->dir_.c_str(), 0700) != 0) return absl::InternalError("cannot make temp dir");
  const std::string config = server->dir_ + "/prometheus.yml";
  std::ofstream(config) << "global:\n"
                           "  scrape_interval: 1s\n"
                           "  scrape_timeout: 1s\n"
                           "scrape_configs:\n"
                           "  - job_name: backinstock\n"
                           "    static_configs:\n"
                           "      - targets: ['"
                        << target << "']\n";
  absl::StatusOr<int> port = FreePort();
  if (!port.ok()) return port.status();
  server->port_ = *port;
  const int log_fd =
      open((server->dir_ + "/log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) return absl::InternalError("cannot open the log");
  absl::StatusOr<pid_t> pid = SpawnChild(
      {kBinary, "--config.file=" + config, "--storage.tsdb.path=" + server->dir_ + "/data",
       absl::StrCat("--web.listen-address=127.0.0.1:", server->port_), "--log.level=warn"},
      {}, log_fd, log_fd);
  close(log_fd);
  if (!pid.ok()) return pid.status();
  server->pid_ = *pid;
  bool exited = false;
  const bool ready = Eventually(
      [&] {
        if (Exited(server->pid_)) {
          exited = true;
          return true;
        }
        absl::StatusOr<HttpReply> reply = HttpRequest(server->port_, "GET", "/-/ready");
        return reply.ok() && reply->status == 200;
      },
      ready_timeout, absl::Milliseconds(50));
  if (exited) {
    server->pid_ = -1;
    return absl::UnavailableError(absl::StrCat("prometheus exited: ", server->Log()));
  }
  if (!ready)
    return absl::DeadlineExceededError(absl::StrCat("prometheus not ready: ", server->Log()));
  return server;
}

PrometheusServer::~PrometheusServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    if (!Eventually([&] { return Exited(pid_); }, absl::Seconds(20))) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
}

absl::StatusOr<double> PrometheusServer::QueryOne(const std::string& expression) const {
  absl::StatusOr<HttpReply> reply =
      HttpRequest(port_, "GET", "/api/v1/query?query=" + UrlEncode(expression));
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) {
    return absl::UnavailableError(absl::StrCat("HTTP ", reply->status, ": ", reply->body));
  }
  const nlohmann::json answer = nlohmann::json::parse(reply->body, nullptr, false);
  if (answer.is_discarded() || answer.value("status", "") != "success") {
    return absl::DataLossError(absl::StrCat("unexpected answer: ", reply->body));
  }
  const nlohmann::json& result = answer["data"]["result"];
  if (!result.is_array() || result.empty()) return absl::NotFoundError("no sample yet");
  if (result.size() != 1)
    return absl::FailedPreconditionError("more than one sample: " + reply->body);
  // [ <time>, "<value>" ]
  const nlohmann::json& value = result[0]["value"];
  double number = 0;
  if (!value.is_array() || value.size() != 2 || !value[1].is_string() ||
      !absl::SimpleAtod(value[1].get<std::string>(), &number)) {
    return absl::DataLossError(absl::StrCat("unexpected sample: ", reply->body));
  }
  return number;
}

std::string PrometheusServer::Log() const { return ReadWholeFile(dir_ + "/log"); }

}  // namespace backinstock::testing
