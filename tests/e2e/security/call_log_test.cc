// The call log names the caller's verified site on every line, including the
// lines of calls the client cancelled (the server's own log, real binary).
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "cancelling-site";

class CallLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(keys_path_, TestKeysJson());
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--audit_log=/dev/null"};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }

  // The call lines the server logged for `method` (a suffix of the path).
  std::vector<std::string> CallLines(const std::string& method) const {
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(server_->Stderr(), '\n')) {
      if (absl::StrContains(line, " INFO call ") && absl::StrContains(line, method)) {
        lines.emplace_back(line);
      }
    }
    return lines;
  }

  TempDir dir_{"call-log"};
  const std::string keys_path_ = dir_ / "keys.json";
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(CallLogTest, ACancelledWatchIsLoggedWithItsSite) {
  auto stub = v1::BackInStockSettingsService::NewStub(channel_);
  grpc::ClientContext context;
  Authorize(context, IdentityToken(kSite, "visitor"));
  auto reader = stub->WatchSettings(&context, v1::WatchSettingsRequest());
  v1::WatchSettingsResponse first;
  ASSERT_TRUE(reader->Read(&first));
  context.TryCancel();
  reader->Finish();

  ASSERT_TRUE(Eventually([&] { return !CallLines("/WatchSettings").empty(); }))
      << server_->Stderr();
  for (const std::string& line : CallLines("/WatchSettings")) {
    EXPECT_TRUE(absl::StrContains(line, std::string("site=") + kSite)) << line;
  }
}

TEST_F(CallLogTest, UnaryCallsCancelledInFlightAreLoggedWithTheirSite) {
  // Each call is cancelled by the client as soon as it is sent; whatever
  // the server saw of them is logged with the site.
  auto stub = v1::BackInStockSettingsService::NewStub(channel_);
  grpc::CompletionQueue queue;
  constexpr int kCalls = 50;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<v1::GetSettingsResponse> responses(kCalls);
  std::vector<grpc::Status> statuses(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    Authorize(*contexts.back(), IdentityToken(kSite, "visitor"));
    auto call = stub->AsyncGetSettings(contexts.back().get(), v1::GetSettingsRequest(), &queue);
    call->Finish(&responses[i], &statuses[i], reinterpret_cast<void*>(static_cast<intptr_t>(i)));
    contexts.back()->TryCancel();
  }
  for (int i = 0; i < kCalls; ++i) {
    void* tag = nullptr;
    bool ok = false;
    ASSERT_TRUE(queue.Next(&tag, &ok));
  }
  queue.Shutdown();
  // Any call the server finished is logged; wait for the log to settle on a
  // call made after them all.
  SettingsCalls calls(channel_);
  ASSERT_TRUE(calls.Get(As("after-the-cancels", "visitor")).ok());
  ASSERT_TRUE(Eventually([&] {
    return absl::StrContains(server_->Stderr(), "site=after-the-cancels");
  })) << server_->Stderr();
  for (const std::string& line : CallLines("/GetSettings")) {
    if (absl::StrContains(line, "after-the-cancels")) continue;
    EXPECT_TRUE(absl::StrContains(line, std::string("site=") + kSite)) << line;
  }
}

}  // namespace
}  // namespace backinstock::testing
