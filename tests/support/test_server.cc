#include "tests/support/test_server.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "server/domain/settings_manager.h"
#include "tests/support/maildir.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {

runtime::ServerConfig TestConfig(const std::string& audit_path) {
  runtime::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.keys = TestKeys();
  config.supported_app_ids = {std::string(domain::kWixStoresAppId)};
  config.audit_log = audit_path.empty() ? "/dev/null" : audit_path;
  config.shutdown_grace = absl::Seconds(2);
  return config;
}

TestServer::TestServer(runtime::ServerConfig config) {
  // Emails go into a Maildir of the test's own (removed with the server)
  // unless the test names one or a relay.
  if (config.mail_dir.empty() && config.smtp.url.empty() && config.data_dir.empty()) {
    config.mail_dir = owned_mail_dir_ = TempPath("maildir");
  }
  absl::StatusOr<std::unique_ptr<runtime::Server>> server =
      runtime::Server::Start(std::move(config));
  if (!server.ok()) throw std::runtime_error(std::string(server.status().message()));
  server_ = *std::move(server);
  channel_ = grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
}

TestServer::~TestServer() {
  server_->Shutdown();
  server_.reset();
  if (!owned_mail_dir_.empty()) RemoveTree(owned_mail_dir_);
}

void Authorize(grpc::ClientContext& context, const std::string& identity_token,
               const std::optional<std::string>& elevation_token) {
  context.AddMetadata("authorization", "Bearer " + identity_token);
  if (elevation_token) context.AddMetadata("x-elevation-token", *elevation_token);
}

std::string TempPath(const std::string& stem) {
  // The pid alone is not enough: pids are recycled within minutes on a busy
  // machine, and a test that crashed or was killed leaves its files behind.
  // Audit logs and outboxes are opened for appending and TempDir takes an
  // existing directory as it is, so a name reused from a dead process would
  // hand a test someone else's lines or journal. A random per-process token
  // makes the name new.
  static const std::string token = [] {
    std::random_device device;
    return absl::StrCat(absl::Hex(device(), absl::kZeroPad8), absl::Hex(device(), absl::kZeroPad8));
  }();
  static std::atomic<int> counter{0};
  const char* dir = std::getenv("TMPDIR");
  return absl::StrCat(dir ? dir : "/tmp", "/backinstock-", stem, "-", getpid(), "-", token, "-",
                      counter++);
}

}  // namespace backinstock::testing
