// An in-process server on a free loopback port, for end-to-end tests over a
// real channel, and the call metadata helpers that go with it.
#ifndef BACKINSTOCK_TESTS_SUPPORT_TEST_SERVER_H_
#define BACKINSTOCK_TESTS_SUPPORT_TEST_SERVER_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <optional>
#include <string>

#include "server/runtime/server.h"
#include "server/runtime/server_config.h"

namespace backinstock::testing {

// A config for tests: 127.0.0.1:0, the test keys, the Wix Stores app, audit
// log to `audit_path` (or discarded when empty).
runtime::ServerConfig TestConfig(const std::string& audit_path = "");

class TestServer {
 public:
  explicit TestServer(runtime::ServerConfig config = TestConfig());
  ~TestServer();

  int port() const { return server_->port(); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port()); }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  runtime::Server& server() { return *server_; }
  // Where the server delivers emails without a relay.
  std::string mail_dir() const { return server_->mail_destination(); }

 private:
  std::string owned_mail_dir_;  // created for this server, removed with it
  std::unique_ptr<runtime::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Adds `authorization: Bearer <identity>` and, when given, the elevation token.
void Authorize(grpc::ClientContext& context, const std::string& identity_token,
               const std::optional<std::string>& elevation_token = std::nullopt);

// A temporary path no other process, live or dead, has used (nothing is
// created).
std::string TempPath(const std::string& stem);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_TEST_SERVER_H_
