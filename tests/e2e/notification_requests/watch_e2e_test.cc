// WatchNotificationRequestEvents over a real channel: the site's events in
// order, a watcher too slow to keep up ended without slowing writers, and a
// clean end at shutdown.
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/support/eventually.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

using Event = RequestEventsWatch::Event;
constexpr char kSite[] = "shop-1";

class WatchE2e : public ::testing::Test {
 protected:
  WatchE2e() : settings_(server_.channel()), calls_(server_.channel()) {
    EXPECT_TRUE(settings_.Set(owner_, true).ok());
    EXPECT_TRUE(settings_.Set(As("shop-2", "user"), true).ok());
  }
  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
  TestServer server_{QuietConfig()};
  SettingsCalls settings_;
  RequestCalls calls_;
};

TEST_F(WatchE2e, EveryChangeOfTheSiteInOrder) {
  RequestEventsWatch watch(calls_.stub(), owner_);
  NotificationRequest created = *calls_.Create(visitor_, "shirt", "a@b.co");
  ASSERT_TRUE(calls_.Create(As("shop-2", "visitor"), "shirt", "a@b.co").ok());  // not ours
  ASSERT_TRUE(calls_.Report(owner_, RequestCalls::ReportOf({created.id()})).ok());
  // The email goes out in the background; delete once it has.
  ASSERT_TRUE(Eventually([&] {
    auto request = calls_.Get(owner_, created.id());
    return request.ok() && request->status() == NotificationRequest::NOTIFICATION_SENT;
  }));
  ASSERT_TRUE(calls_.Delete(owner_, created.id()).ok());

  const std::pair<Event::EventType, NotificationRequest::Status> expected[] = {
      {Event::CREATED, NotificationRequest::RECEIVED},
      {Event::UPDATED, NotificationRequest::PROCESSING},
      {Event::UPDATED, NotificationRequest::NOTIFICATION_SENT},
      {Event::DELETED, NotificationRequest::UNSPECIFIED},
  };
  for (const auto& [type, status] : expected) {
    std::optional<Event> event = watch.Next();
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->request_id(), created.id());
    EXPECT_EQ(event->type(), type);
    EXPECT_EQ(event->has_request(), type != Event::DELETED);
    if (event->has_request()) {
      EXPECT_EQ(event->request().status(), status);
    }
    // The email's state rides along once the report queued it: queued
    // (0 attempts, due), then sent (1 attempt, nothing more due).
    const bool queued = status == NotificationRequest::PROCESSING ||
                        status == NotificationRequest::NOTIFICATION_SENT;
    EXPECT_EQ(event->has_delivery(), queued);
    if (queued) {
      const bool sent = status == NotificationRequest::NOTIFICATION_SENT;
      EXPECT_EQ(event->delivery().attempts(), sent ? 1 : 0);
      EXPECT_GT(event->delivery().queued_time().seconds(), 0);
      EXPECT_EQ(event->delivery().last_error(), "");
      EXPECT_FALSE(event->delivery().has_next_attempt_time());
    }
    EXPECT_GT(event->event_time().seconds(), 0);
  }
  watch.context.TryCancel();
  while (watch.Next()) {
  }
  EXPECT_EQ(watch.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(WatchE2e, ReadersNeedThePermission) {
  RequestEventsWatch watch(calls_.stub(), visitor_);
  EXPECT_FALSE(watch.Next().has_value());
  absl::Status status = errors::FromGrpcStatus(watch.reader->Finish());
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_REQUIRED");
}

TEST_F(WatchE2e, AWatcherThatFallsBehindIsEndedAndWritersCarryOn) {
  // A client that buffers little and never reads: without BDP probing its
  // stream window stays small, so the server's queue for it fills up.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  auto slow_channel =
      grpc::CreateCustomChannel(server_.address(), grpc::InsecureChannelCredentials(), args);
  RequestCalls slow_calls(slow_channel);
  RequestEventsWatch watch(slow_calls.stub(), owner_);

  // Large events (2 KB of options each), far more than any window holds.
  const std::string options = absl::StrCat(R"({"note": ")", std::string(1900, 'x'), R"("})");
  for (int i = 0; i < 3000; ++i) {
    absl::StatusOr<NotificationRequest> created =
        calls_.Create(visitor_, "shirt", absl::StrCat("c", i, "@b.co"), options);
    ASSERT_TRUE(created.ok()) << created.status();
    ASSERT_TRUE(calls_.Delete(owner_, created->id()).ok());
  }
  int read = 0;
  while (watch.Next()) ++read;
  absl::Status status = errors::FromGrpcStatus(watch.reader->Finish());
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
  EXPECT_EQ(errors::ReasonOf(status), "WATCHER_TOO_SLOW");
  EXPECT_LT(read, 6000);
}

TEST_F(WatchE2e, ShutdownEndsTheStreamCleanly) {
  RequestEventsWatch watch(calls_.stub(), owner_);
  server_.server().Shutdown();
  EXPECT_FALSE(watch.Next().has_value());
  EXPECT_TRUE(watch.reader->Finish().ok());
}

}  // namespace
}  // namespace backinstock::testing
