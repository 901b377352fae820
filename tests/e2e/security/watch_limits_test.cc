// Caps on open watch streams, per site and per server (--max_watch_streams_per_site,
// --max_watch_streams), over the real server binary: a stream beyond a cap is
// refused with RESOURCE_EXHAUSTED (reason TOO_MANY_WATCH_STREAMS, metadata
// scope and limit), and a closed stream frees its place.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/support/eventually.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

struct OpenWatch {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::WatchSettingsResponse>> reader;
};

class WatchLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(keys_path_, TestKeysJson());
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--audit_log=/dev/null",
                    "--max_watch_streams_per_site=2", "--max_watch_streams=3"};
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = ServerProcess::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    stub_ = v1::BackInStockSettingsService::NewStub(channel_);
  }

  // Opens a WatchSettings stream for `site`: returns it once it delivered the
  // current settings, or the status it was refused with.
  absl::StatusOr<std::unique_ptr<OpenWatch>> Watch(const std::string& site) {
    auto watch = std::make_unique<OpenWatch>();
    Authorize(watch->context, IdentityToken(site, "visitor"));
    watch->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    watch->reader = stub_->WatchSettings(&watch->context, v1::WatchSettingsRequest());
    v1::WatchSettingsResponse first;
    if (watch->reader->Read(&first)) return watch;
    return errors::FromGrpcStatus(watch->reader->Finish());
  }

  static void ExpectRefused(const absl::StatusOr<std::unique_ptr<OpenWatch>>& watch,
                            const std::string& scope, const std::string& limit) {
    ASSERT_FALSE(watch.ok());
    EXPECT_EQ(watch.status().code(), absl::StatusCode::kResourceExhausted) << watch.status();
    std::optional<google::rpc::ErrorInfo> info = errors::ErrorInfoOf(watch.status());
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->reason(), "TOO_MANY_WATCH_STREAMS");
    EXPECT_EQ(info->metadata().at("scope"), scope);
    EXPECT_EQ(info->metadata().at("limit"), limit);
  }

  TempDir dir_{"watch-limits"};
  const std::string keys_path_ = dir_ / "keys.json";
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::BackInStockSettingsService::Stub> stub_;
};

TEST_F(WatchLimitsTest, StreamsBeyondTheSiteOrServerCapAreRefused) {
  auto a1 = Watch("site-a");
  auto a2 = Watch("site-a");
  ASSERT_TRUE(a1.ok()) << a1.status();
  ASSERT_TRUE(a2.ok()) << a2.status();
  ExpectRefused(Watch("site-a"), "site", "2");

  auto b1 = Watch("site-b");
  ASSERT_TRUE(b1.ok()) << b1.status();
  ExpectRefused(Watch("site-c"), "server", "3");

  // A closed stream frees its place (once the server has seen it end).
  (*a1)->context.TryCancel();
  (*a1)->reader->Finish();
  absl::StatusOr<std::unique_ptr<OpenWatch>> again;
  ASSERT_TRUE(Eventually([&] {
    again = Watch("site-a");
    return again.ok();
  })) << again.status();
}

}  // namespace
}  // namespace backinstock::testing
