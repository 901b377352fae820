// WatchSettings: current settings first, then every change of the caller's
// site; slow watchers never block writers and still end on the latest state;
// shutdown ends the stream with OK.
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/settings_calls.h"

namespace backinstock::testing {
namespace {

struct Watch {
  explicit Watch(v1::BackInStockSettingsService::Stub& stub, const Credentials& who) {
    Authorize(context, who.identity, who.elevation);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader = stub.WatchSettings(&context, v1::WatchSettingsRequest());
  }
  std::optional<v1::BackInStockSettings> Next() {
    v1::WatchSettingsResponse response;
    if (!reader->Read(&response)) return std::nullopt;
    return response.settings();
  }
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::WatchSettingsResponse>> reader;
};

TEST(WatchSettings, CurrentFirstThenEveryChangeOfTheSite) {
  TestServer server;
  SettingsCalls calls(server.channel());
  ASSERT_TRUE(calls.Set(As("s", "user"), true).ok());

  Watch watch(calls.stub(), As("s", "visitor"));
  std::optional<v1::BackInStockSettings> first = watch.Next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->revision(), 1);
  EXPECT_TRUE(first->collection_states(0).collecting_requests());

  ASSERT_TRUE(calls.Set(As("other-site", "user"), true).ok());  // not ours: not delivered
  ASSERT_TRUE(calls.Set(As("s", "user"), true).ok());           // no change: not delivered
  ASSERT_TRUE(calls.Set(As("s", "user"), false).ok());
  std::optional<v1::BackInStockSettings> second = watch.Next();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->revision(), 2);
  EXPECT_FALSE(second->collection_states(0).collecting_requests());

  ASSERT_TRUE(calls.Set(As("s", "user"), true).ok());
  EXPECT_EQ(watch.Next()->revision(), 3);

  watch.context.TryCancel();
  while (watch.Next()) {
  }
  EXPECT_EQ(watch.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST(WatchSettings, SlowWatcherDoesNotBlockWritersAndEndsOnTheLatestState) {
  TestServer server;
  SettingsCalls calls(server.channel());
  Watch watch(calls.stub(), As("s", "member"));
  ASSERT_EQ(watch.Next()->revision(), 0);

  // The watcher reads nothing while 2,000 changes are committed.
  constexpr int kChanges = 2000;
  for (int i = 0; i < kChanges; ++i) {
    ASSERT_TRUE(calls.Set(As("s", "user"), i % 2 == 0).ok());
  }
  // Then it catches up: revisions only go up, and the last is the final one.
  int64_t last = 0;
  int messages = 0;
  while (last < kChanges) {
    std::optional<v1::BackInStockSettings> next = watch.Next();
    ASSERT_TRUE(next.has_value()) << "stream ended at revision " << last;
    EXPECT_GT(next->revision(), last);
    last = next->revision();
    ++messages;
    if (last == kChanges) {
      EXPECT_FALSE(next->collection_states(0).collecting_requests());
    }
  }
  EXPECT_LE(messages, kChanges);
}

TEST(WatchSettings, RefusedWithoutToken) {
  TestServer server;
  SettingsCalls calls(server.channel());
  grpc::ClientContext context;
  auto reader = calls.stub().WatchSettings(&context, v1::WatchSettingsRequest());
  v1::WatchSettingsResponse response;
  EXPECT_FALSE(reader->Read(&response));
  absl::Status status = errors::FromGrpcStatus(reader->Finish());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(errors::ReasonOf(status), "TOKEN_MISSING");
}

TEST(WatchSettings, ShutdownEndsStreamsWithOk) {
  auto server = std::make_unique<TestServer>();
  SettingsCalls calls(server->channel());
  Watch a(calls.stub(), As("s", "visitor"));
  Watch b(calls.stub(), As("t", "user"));
  ASSERT_TRUE(a.Next().has_value());
  ASSERT_TRUE(b.Next().has_value());
  std::thread stopper([&] { server->server().Shutdown(); });
  while (a.Next()) {
  }
  while (b.Next()) {
  }
  EXPECT_TRUE(a.reader->Finish().ok());
  EXPECT_TRUE(b.reader->Finish().ok());
  stopper.join();
}

}  // namespace
}  // namespace backinstock::testing
