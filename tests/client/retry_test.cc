// Retries: only idempotent calls, only for UNAVAILABLE, through the channel's
// service config. First with services that fail on purpose and count the
// attempts they receive; then with the real server going away and coming back
// on the same port while a call is retrying.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "backinstock/client/channel.h"
#include "backinstock/client/notification_requests_client.h"
#include "backinstock/client/settings_client.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/client/client_test_util.h"
#include "tests/client/fake_server.h"
#include "tests/support/server_process.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

constexpr char kStores[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

// GetSettings: UNAVAILABLE for the first `failures` attempts, then OK.
// StartCollectingRequests: always FAILED_PRECONDITION.
class FlakySettingsService final : public v1::BackInStockSettingsService::Service {
 public:
  explicit FlakySettingsService(int failures) : failures_(failures) {}

  grpc::Status GetSettings(grpc::ServerContext*, const v1::GetSettingsRequest*,
                           v1::GetSettingsResponse* response) override {
    if (get_attempts_.fetch_add(1) < failures_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down for a moment");
    }
    response->mutable_settings()->set_revision(7);
    return grpc::Status::OK;
  }
  grpc::Status StartCollectingRequests(grpc::ServerContext*,
                                       const v1::StartCollectingRequestsRequest*,
                                       v1::StartCollectingRequestsResponse*) override {
    start_attempts_.fetch_add(1);
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "not retried");
  }

  const int failures_;
  std::atomic<int> get_attempts_{0};
  std::atomic<int> start_attempts_{0};
};

// Every call UNAVAILABLE, counted per method.
class DownRequestsService final : public v1::BackInStockNotificationRequestService::Service {
 public:
  grpc::Status CreateBackInStockNotificationRequest(
      grpc::ServerContext*, const v1::CreateBackInStockNotificationRequestRequest*,
      v1::CreateBackInStockNotificationRequestResponse*) override {
    create_attempts_.fetch_add(1);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
  }
  grpc::Status GetBackInStockNotificationRequest(
      grpc::ServerContext*, const v1::GetBackInStockNotificationRequestRequest*,
      v1::GetBackInStockNotificationRequestResponse*) override {
    get_attempts_.fetch_add(1);
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
  }

  std::atomic<int> create_attempts_{0};
  std::atomic<int> get_attempts_{0};
};

// When a call returns, every attempt it made has been answered, so the counts
// below are exact.

TEST(RetryTest, IdempotentCallSucceedsAfterUnavailable) {
  FlakySettingsService service(/*failures=*/2);
  FakeServer server{&service};
  client::SettingsClient client(client::MakeSettingsConnection(OptionsFor(server.address(), "t")));
  auto response = client.GetSettings();
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->settings().revision(), 7);
  EXPECT_EQ(service.get_attempts_.load(), 3);
}

TEST(RetryTest, GivesUpAfterMaxAttempts) {
  DownRequestsService service;
  FakeServer server{&service};
  client::ConnectionOptions options = OptionsFor(server.address(), "t");
  options.retry.max_attempts = 3;
  client::NotificationRequestsClient client(client::MakeNotificationRequestsConnection(options));
  auto response = client.GetBackInStockNotificationRequest("id-1");
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service.get_attempts_.load(), 3);
}

TEST(RetryTest, NonIdempotentCallIsNotRetried) {
  DownRequestsService service;
  FakeServer server{&service};
  client::NotificationRequestsClient client(
      client::MakeNotificationRequestsConnection(OptionsFor(server.address(), "t")));
  auto response = client.CreateBackInStockNotificationRequest(
      v1::CreateBackInStockNotificationRequestRequest());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service.create_attempts_.load(), 1);
}

TEST(RetryTest, OtherCodesAreNotRetried) {
  FlakySettingsService service(/*failures=*/0);
  FakeServer server{&service};
  client::SettingsClient client(client::MakeSettingsConnection(OptionsFor(server.address(), "t")));
  auto response = client.StartCollectingRequests(kStores);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(service.start_attempts_.load(), 1);
}

TEST(RetryTest, RetriesCanBeTurnedOff) {
  FlakySettingsService service(/*failures=*/1);
  FakeServer server{&service};
  client::ConnectionOptions options = OptionsFor(server.address(), "t");
  options.retry.max_attempts = 1;
  client::SettingsClient client(client::MakeSettingsConnection(options));
  EXPECT_EQ(client.GetSettings().status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(service.get_attempts_.load(), 1);
}

// --- The real server goes away and comes back on the same port ------------

class ServerComesBackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_path_ = TempPath("retry-keys");
    std::ofstream(keys_path_) << TestKeysJson();
    server_ = Start("127.0.0.1:0");
    ASSERT_NE(server_, nullptr);
    address_ = server_->address();
  }
  void TearDown() override { unlink(keys_path_.c_str()); }

  std::unique_ptr<ServerProcess> Start(const std::string& listen) {
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--listen=" + listen, "--audit_log=/dev/null"};
    auto process = ServerProcess::Start(std::move(options));
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? *std::move(process) : nullptr;
  }

  // Retries spread over about ten seconds (1 + 2 + 4 + 4 s, jittered), and a
  // channel that reconnects quickly once the server is back.
  client::ConnectionOptions PatientOptions(int max_attempts) {
    client::ConnectionOptions options = OptionsFor(address_, IdentityToken("comeback", "user"));
    options.retry.max_attempts = max_attempts;
    options.retry.initial_backoff = absl::Seconds(1);
    options.retry.max_backoff = absl::Seconds(4);
    options.channel_arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    options.channel_arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    options.channel_arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
    return options;
  }

  // Blocks until `channel` reports TRANSIENT_FAILURE: a connection attempt to
  // the stopped server failed, so the pending call's attempt failed with
  // UNAVAILABLE.
  static bool WaitForTransientFailure(grpc::Channel& channel) {
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(60);
    grpc_connectivity_state state = channel.GetState(false);
    while (state != GRPC_CHANNEL_TRANSIENT_FAILURE) {
      if (!channel.WaitForStateChange(state, deadline)) return false;
      state = channel.GetState(false);
    }
    return true;
  }

  std::string keys_path_;
  std::unique_ptr<ServerProcess> server_;
  std::string address_;
};

TEST_F(ServerComesBackTest, RetriedCallSucceedsWhenTheServerIsBack) {
  const client::ConnectionOptions options = PatientOptions(5);
  auto channel = client::MakeChannel(options);
  client::SettingsClient client(client::MakeSettingsConnection(channel, options));
  ASSERT_TRUE(client.GetSettings().ok());

  auto stopped = server_->Stop(SIGTERM);
  ASSERT_TRUE(stopped.ok()) << stopped.status();
  server_.reset();

  absl::StatusOr<v1::GetSettingsResponse> response;
  std::thread call([&] {
    client::CallOptions call_options;
    call_options.deadline = absl::Seconds(60);
    response = client.GetSettings(call_options);
  });
  const bool failed_once = WaitForTransientFailure(*channel);
  server_ = Start(address_);  // the same port
  call.join();
  ASSERT_TRUE(failed_once);
  ASSERT_NE(server_, nullptr);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->settings().collection_states(0).app_id(), kStores);
}

TEST_F(ServerComesBackTest, WithoutRetriesTheSameOutageFailsTheCall) {
  const client::ConnectionOptions options = PatientOptions(1);
  client::SettingsClient client(client::MakeSettingsConnection(options));
  ASSERT_TRUE(client.GetSettings().ok());
  ASSERT_TRUE(server_->Stop(SIGTERM).ok());
  server_.reset();
  EXPECT_EQ(client.GetSettings().status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace backinstock::testing
