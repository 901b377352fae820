// Deadlines: against a settings service that is slow on purpose (it never
// answers; it finishes a call only when the call is cancelled), every call
// ends with DEADLINE_EXCEEDED at the deadline the client set.
#include <gtest/gtest.h>

#include <atomic>

#include "backinstock/client/settings_client.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/client/client_test_util.h"
#include "tests/client/fake_server.h"

namespace backinstock::testing {
namespace {

// Holds the call open until gRPC cancels it (deadline or client gone).
class NeverAnswers final : public grpc::ServerUnaryReactor {
 public:
  void OnCancel() override { Finish(grpc::Status::CANCELLED); }
  void OnDone() override { delete this; }
};

class SlowSettingsService final : public v1::BackInStockSettingsService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetSettings(grpc::CallbackServerContext*, const v1::GetSettingsRequest*,
                                        v1::GetSettingsResponse*) override {
    return new NeverAnswers();
  }
  grpc::ServerUnaryReactor* StartCollectingRequests(grpc::CallbackServerContext*,
                                                    const v1::StartCollectingRequestsRequest*,
                                                    v1::StartCollectingRequestsResponse*) override {
    return new NeverAnswers();
  }
};

class DeadlineTest : public ::testing::Test {
 protected:
  SlowSettingsService service_;
  FakeServer server_{&service_};
};

TEST_F(DeadlineTest, TheConnectionsDefaultDeadlineApplies) {
  client::ConnectionOptions options = OptionsFor(server_.address(), "token");
  options.default_deadline = absl::Milliseconds(300);
  client::SettingsClient client(client::MakeSettingsConnection(options));
  auto response = client.GetSettings();
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded) << response.status();
}

TEST_F(DeadlineTest, ACallsDeadlineOverridesTheDefault) {
  // The default would let the test hang for an hour; the call's own deadline
  // is what ends it.
  client::ConnectionOptions options = OptionsFor(server_.address(), "token");
  options.default_deadline = absl::Hours(1);
  client::SettingsClient client(client::MakeSettingsConnection(options));
  client::CallOptions call;
  call.deadline = absl::Milliseconds(300);
  auto response = client.StartCollectingRequests("215238eb-22a5-4c36-9e7b-e7c08025e04e", call);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded) << response.status();
}

}  // namespace
}  // namespace backinstock::testing
