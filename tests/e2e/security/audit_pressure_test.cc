// The audit log under pressure, over the real server binary:
// - a sink that takes nothing (a FIFO whose reader never reads) must not
//   freeze the server: 70,000 calls without a token (each one a denied call,
//   so an audit line) are all answered, and a valid call still is after them;
//   elevated calls, whose lines must not be lost, are refused meanwhile;
// - a sink that refuses writes (/dev/full) is noticed: the server says so in
//   its log and in grpc.health.v1 ("backinstock.audit"), and elevated calls
//   are refused (UNAVAILABLE, AUDIT_UNAVAILABLE) while calls that need no
//   elevation go on.
#include <fcntl.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "server/auth/permissions.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

using grpc::health::v1::HealthCheckResponse;

std::unique_ptr<ServerProcess> StartServer(const std::string& keys_path,
                                           const std::string& audit_path) {
  ServerProcess::Options options;
  options.args = {"--keys_file=" + keys_path, "--audit_log=" + audit_path};
  absl::StatusOr<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

// grpc.health.v1 status of `service` (SERVICE_UNKNOWN when the server does not
// know it).
HealthCheckResponse::ServingStatus Health(const std::shared_ptr<grpc::Channel>& channel,
                                          const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  if (!stub->Check(&context, request, &response).ok()) return HealthCheckResponse::SERVICE_UNKNOWN;
  return response.status();
}

// `total` GetSettings calls without a token, at most `in_flight` at a time,
// each with a deadline; returns how many ended with each status code.
std::map<grpc::StatusCode, int> AnonymousFlood(const std::shared_ptr<grpc::Channel>& channel,
                                               int total, int in_flight) {
  auto stub = v1::BackInStockSettingsService::NewStub(channel);
  struct Call {
    grpc::ClientContext context;
    v1::GetSettingsResponse response;
    grpc::Status status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetSettingsResponse>> reader;
  };
  grpc::CompletionQueue queue;
  std::map<grpc::StatusCode, int> codes;
  int started = 0;
  int done = 0;
  auto start = [&] {
    auto* call = new Call;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    call->reader = stub->AsyncGetSettings(&call->context, v1::GetSettingsRequest(), &queue);
    call->reader->Finish(&call->response, &call->status, call);
    ++started;
  };
  while (started < std::min(total, in_flight)) start();
  while (done < total) {
    void* tag = nullptr;
    bool ok = false;
    if (!queue.Next(&tag, &ok)) break;
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    ++codes[call->status.error_code()];
    ++done;
    if (started < total) start();
  }
  queue.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (queue.Next(&tag, &ok)) {
  }
  return codes;
}

class AuditPressureTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteBytes(keys_path_, TestKeysJson()); }

  TempDir dir_{"audit-pressure"};
  const std::string keys_path_ = dir_ / "keys.json";
  const Credentials elevated_{IdentityToken("s", "visitor"),
                              ElevationToken("s", {std::string(auth::kSettingsModify)})};
};

TEST_F(AuditPressureTest, AStalledAuditSinkFreezesNoCall) {
  // A FIFO with a reader that never reads: once the pipe's buffer is full,
  // every write(2) to it blocks.
  const std::string fifo = dir_ / "audit.fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const int reader = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  std::unique_ptr<ServerProcess> server = StartServer(keys_path_, fifo);
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());

  // More denied calls than the audit queue holds (65,536 lines).
  std::map<grpc::StatusCode, int> codes = AnonymousFlood(channel, 70000, 200);
  EXPECT_EQ(codes[grpc::StatusCode::UNAUTHENTICATED], 70000)
      << "DEADLINE_EXCEEDED: " << codes[grpc::StatusCode::DEADLINE_EXCEEDED];

  SettingsCalls calls(channel);
  EXPECT_TRUE(calls.Get(As("s", "visitor")).ok());
  // An elevated call's line could not be written now: the call is refused
  // rather than run unrecorded.
  absl::StatusOr<v1::BackInStockSettings> set = calls.Set(elevated_, true);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kUnavailable) << set.status();
  EXPECT_EQ(errors::ReasonOf(set.status()), "AUDIT_UNAVAILABLE");
  EXPECT_TRUE(Eventually([&] { return absl::StrContains(server->Stderr(), "audit log is full"); }))
      << server->Stderr();
  // Nor does it hold the exit: SIGTERM still ends the process.
  absl::StatusOr<int> exit = server->Stop(SIGTERM, absl::Seconds(60));
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0) << *exit;
  close(reader);
}

TEST_F(AuditPressureTest, AnAuditSinkThatRefusesWritesIsReportedAndElevatedCallsFailClosed) {
  std::unique_ptr<ServerProcess> server = StartServer(keys_path_, "/dev/full");
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
  SettingsCalls calls(channel);
  EXPECT_EQ(Health(channel, "backinstock.audit"), HealthCheckResponse::SERVING);

  // A denied call writes an audit line, which /dev/full refuses.
  EXPECT_EQ(calls.Get(As("s", "visitor")).status().code(), absl::StatusCode::kOk);
  EXPECT_FALSE(calls.Set(As("s", "visitor"), true).ok());
  ASSERT_TRUE(Eventually([&] {
    return Health(channel, "backinstock.audit") == HealthCheckResponse::NOT_SERVING;
  })) << server->Stderr();
  EXPECT_TRUE(Eventually([&] {
    return absl::StrContains(server->Stderr(), "audit log cannot be written");
  })) << server->Stderr();
  EXPECT_EQ(Health(channel, ""), HealthCheckResponse::SERVING);

  absl::StatusOr<v1::BackInStockSettings> set = calls.Set(elevated_, true);
  EXPECT_EQ(set.status().code(), absl::StatusCode::kUnavailable) << set.status();
  EXPECT_EQ(errors::ReasonOf(set.status()), "AUDIT_UNAVAILABLE");
  // Calls the role allows need no audit line and go on.
  EXPECT_TRUE(calls.Get(As("s", "visitor")).ok());
  EXPECT_TRUE(calls.Set(As("s", "user"), true).ok());
}

}  // namespace
}  // namespace backinstock::testing
