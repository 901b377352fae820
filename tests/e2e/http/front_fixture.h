// The real server binary with its HTTP front on a free loopback port, and the
// calls the front's tests make through it and, for comparison, over gRPC.
#ifndef BACKINSTOCK_TESTS_E2E_HTTP_FRONT_FIXTURE_H_
#define BACKINSTOCK_TESTS_E2E_HTTP_FRONT_FIXTURE_H_

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "tests/support/eventually.h"
#include "tests/support/http_client.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {

// "backinstock-server http listening on 127.0.0.1:PORT" -> PORT (0 if absent).
inline int HttpPortFrom(const std::string& stdout_text) {
  const std::string kLine = "backinstock-server http listening on ";
  const size_t at = stdout_text.find(kLine);
  if (at == std::string::npos) return 0;
  const size_t end = stdout_text.find('\n', at);
  const std::string address = stdout_text.substr(at + kLine.size(), end - at - kLine.size());
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(address.rfind(':') + 1), &port)) return 0;
  return port;
}

// The proto3 JSON the front prints for a message, parsed.
inline nlohmann::json JsonOf(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json, options).ok());
  return nlohmann::json::parse(json);
}

inline std::string Base64Url(const std::string& text) {
  std::string out;
  absl::WebSafeBase64Escape(text, &out);
  return out;
}

class FrontServer {
 public:
  // Starts the server with the HTTP front and `extra` flags.
  static std::unique_ptr<FrontServer> Start(std::vector<std::string> extra = {}) {
    auto server = std::unique_ptr<FrontServer>(new FrontServer());
    server->keys_path_ =
        absl::StrCat(::testing::TempDir(), "/http-keys-", getpid(), "-", Counter()++, ".json");
    std::ofstream(server->keys_path_) << TestKeysJson();
    ServerProcess::Options options;
    options.args = {"--keys_file=" + server->keys_path_, "--http_listen=127.0.0.1:0",
                    "--audit_log=/dev/null"};
    options.args.insert(options.args.end(), extra.begin(), extra.end());
    absl::StatusOr<std::unique_ptr<ServerProcess>> process = ServerProcess::Start(options);
    if (!process.ok()) {
      ADD_FAILURE() << process.status();
      return nullptr;
    }
    server->process_ = *std::move(process);
    server->http_port_ = HttpPortFrom(server->process_->Stdout());
    EXPECT_NE(server->http_port_, 0) << server->process_->Stdout();
    server->channel_ =
        grpc::CreateChannel(server->process_->address(), grpc::InsecureChannelCredentials());
    return server;
  }
  ~FrontServer() {
    process_.reset();
    std::remove(keys_path_.c_str());
  }

  int http_port() const { return http_port_; }
  std::string Url(const std::string& path) const {
    return absl::StrCat("http://127.0.0.1:", http_port_, path);
  }
  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  ServerProcess& process() { return *process_; }

 private:
  FrontServer() = default;
  static int& Counter() {
    static int counter = 0;
    return counter;
  }

  std::string keys_path_;
  std::unique_ptr<ServerProcess> process_;
  int http_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

inline std::vector<std::string> AuthHeaders(const Credentials& who) {
  std::vector<std::string> headers = {"Authorization: Bearer " + who.identity,
                                      "Content-Type: application/json"};
  if (who.elevation) headers.push_back("x-elevation-token: " + *who.elevation);
  return headers;
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_HTTP_FRONT_FIXTURE_H_
