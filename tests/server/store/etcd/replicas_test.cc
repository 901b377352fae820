// Two replicas over one 3-member etcd cluster: what one replica commits, the
// other serves and streams; races between replicas have exactly one winner.
#include "tests/server/store/etcd/replicas.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/synchronization/barrier.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

using v1::WatchNotificationRequestEventsResponse;

bool Collecting(const v1::BackInStockSettings& settings) {
  for (const auto& state : settings.collection_states()) {
    if (state.app_id() == kStoresApp) return state.collecting_requests();
  }
  return false;
}

TEST_F(EtcdReplicasTest, StartOnOneReplicaIsSeenByGetAndWatchOnTheOther) {
  const Credentials owner = As("shop-watch", "user");
  grpc::ClientContext context;
  Authorize(context, owner.identity);
  auto stream = B().settings->stub().WatchSettings(&context, v1::WatchSettingsRequest());
  v1::WatchSettingsResponse message;
  ASSERT_TRUE(stream->Read(&message));
  EXPECT_EQ(message.settings().revision(), 0);
  EXPECT_FALSE(Collecting(message.settings()));

  auto started = A().settings->Set(owner, true);
  ASSERT_TRUE(started.ok()) << started.status();
  EXPECT_EQ(started->revision(), 1);
  // Read-your-writes on the writing replica.
  auto on_a = A().settings->Get(owner);
  ASSERT_TRUE(on_a.ok());
  EXPECT_EQ(on_a->revision(), 1);

  ASSERT_TRUE(stream->Read(&message));
  EXPECT_EQ(message.settings().revision(), 1);
  EXPECT_TRUE(Collecting(message.settings()));
  // B streamed the change, so its cache holds it: GetSettings agrees.
  auto on_b = B().settings->Get(owner);
  ASSERT_TRUE(on_b.ok()) << on_b.status();
  EXPECT_EQ(on_b->revision(), 1);
  EXPECT_TRUE(Collecting(*on_b));

  // And back: a Stop on B is streamed to a watcher on A.
  grpc::ClientContext context_a;
  Authorize(context_a, owner.identity);
  auto stream_a = A().settings->stub().WatchSettings(&context_a, v1::WatchSettingsRequest());
  ASSERT_TRUE(stream_a->Read(&message));
  EXPECT_EQ(message.settings().revision(), 1);
  ASSERT_TRUE(B().settings->Set(owner, false).ok());
  ASSERT_TRUE(stream_a->Read(&message));
  EXPECT_EQ(message.settings().revision(), 2);
  EXPECT_FALSE(Collecting(message.settings()));
  context.TryCancel();
  context_a.TryCancel();
}

TEST_F(EtcdReplicasTest, ConcurrentDuplicateCreatesAcrossReplicasMakeExactlyOneRequest) {
  const std::string site = "shop-dup";
  const Credentials owner = As(site, "user");
  const Credentials visitor = As(site, "visitor");
  ASSERT_TRUE(A().settings->Set(owner, true).ok());

  constexpr int kRounds = 5;
  constexpr int kCallers = 8;  // half on each replica
  for (int round = 0; round < kRounds; ++round) {
    const std::string email = absl::StrCat("buyer", round, "@example.com");
    std::atomic<int> created{0};
    std::atomic<int> duplicates{0};
    std::vector<std::string> ids(kCallers);
    std::vector<std::string> existing(kCallers);
    absl::Barrier start(kCallers);
    std::vector<std::thread> callers;
    for (int c = 0; c < kCallers; ++c) {
      callers.emplace_back([&, c] {
        Replica& replica = c % 2 == 0 ? A() : B();
        start.Block();
        auto result = replica.requests->Create(visitor, "sku-1", email);
        if (result.ok()) {
          created.fetch_add(1);
          ids[c] = result->id();
        } else if (result.status().code() == absl::StatusCode::kAlreadyExists) {
          duplicates.fetch_add(1);
          existing[c] = MetadataOf(result.status(), "id");
        } else {
          ADD_FAILURE() << result.status();
        }
      });
    }
    for (auto& caller : callers) caller.join();
    ASSERT_EQ(created.load(), 1) << "round " << round;
    ASSERT_EQ(duplicates.load(), kCallers - 1);
    std::string winner;
    for (const std::string& id : ids) winner += id;
    for (const std::string& id : existing) {
      if (!id.empty()) {
        EXPECT_EQ(id, winner);
      }
    }
  }
  // Both replicas count exactly one open request per email.
  for (Replica* replica : {&A(), &B()}) {
    // A replica may still be applying the other's last write: its count converges.
    int64_t open = -1;
    EXPECT_TRUE(Eventually([&] {
      auto counts = replica->requests->Count(owner, {RequestCalls::Reference("sku-1")});
      open = counts.ok() ? (*counts)[0] : -1;
      return open == kRounds;
    })) << "open requests counted: "
        << open;
  }
}

TEST_F(EtcdReplicasTest, ReportOnBothReplicasAtOnceSendsEachNotificationExactlyOnce) {
  const std::string site = "shop-report";
  const Credentials owner = As(site, "user");
  const Credentials visitor = As(site, "visitor");
  ASSERT_TRUE(A().settings->Set(owner, true).ok());
  constexpr int kRequests = 30;
  std::set<std::string> ids;
  for (int i = 0; i < kRequests; ++i) {
    Replica& replica = i % 2 == 0 ? A() : B();
    auto created = replica.requests->Create(visitor, "sku-r", absl::StrCat("r", i, "@example.com"));
    ASSERT_TRUE(created.ok()) << created.status();
    ids.insert(created->id());
  }
  // Both replicas must know every request before the race, or one of them
  // would simply report fewer: wait until each counts them all.
  for (Replica* replica : {&A(), &B()}) {
    ASSERT_TRUE(Eventually([&] {
      auto counts = replica->requests->Count(owner, {RequestCalls::Reference("sku-r")});
      return counts.ok() && (*counts)[0] == kRequests;
    }));
  }

  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Shirt");
  report.mutable_item_details()->set_price("10.00");
  *report.mutable_catalog_reference() = RequestCalls::Reference("sku-r");
  absl::Barrier start(2);
  absl::Status on_a, on_b;
  std::thread a([&] {
    start.Block();
    on_a = A().requests->Report(owner, report);
  });
  std::thread b([&] {
    start.Block();
    on_b = B().requests->Report(owner, report);
  });
  a.join();
  b.join();
  EXPECT_TRUE(on_a.ok()) << on_a;
  EXPECT_TRUE(on_b.ok()) << on_b;

  // Each request is settled SENT; A learns those B settled through its watch.
  for (const std::string& id : ids) {
    NotificationRequest::Status status = NotificationRequest::RECEIVED;
    EXPECT_TRUE(Eventually([&] {
      auto request = A().requests->Get(owner, id);
      status = request.ok() ? request->status() : NotificationRequest::RECEIVED;
      return status == NotificationRequest::NOTIFICATION_SENT;
    })) << id
        << " is " << NotificationRequest::Status_Name(status);
  }
  // Every email went out once, from one replica or the other.
  std::vector<std::string> sent = MailedIds(A());
  const std::vector<std::string> sent_b = MailedIds(B());
  sent.insert(sent.end(), sent_b.begin(), sent_b.end());
  EXPECT_EQ(sent.size(), static_cast<size_t>(kRequests))
      << "A sent " << sent.size() - sent_b.size() << ", B sent " << sent_b.size();
  EXPECT_EQ(std::set<std::string>(sent.begin(), sent.end()), ids);
}

TEST_F(EtcdReplicasTest, RequestEventsOnOneReplicaIncludeWritesThroughTheOther) {
  const std::string site = "shop-events";
  const Credentials owner = As(site, "user");
  const Credentials visitor = As(site, "visitor");
  ASSERT_TRUE(A().settings->Set(owner, true).ok());
  grpc::ClientContext context;
  Authorize(context, owner.identity);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto stream = B().requests->stub().WatchNotificationRequestEvents(
      &context, v1::WatchNotificationRequestEventsRequest());
  // The stream sends nothing until an event, so it is not known when B has
  // registered it: A keeps creating until B's stream delivers one of them.
  absl::Mutex mu;
  std::set<std::string> created_on_a;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      auto created = A().requests->Create(visitor, "sku-e", absl::StrCat("e", i, "@example.com"));
      ASSERT_TRUE(created.ok()) << created.status();
      absl::MutexLock lock(&mu);
      created_on_a.insert(created->id());
    }
  });
  WatchNotificationRequestEventsResponse event;
  const bool read = stream->Read(&event);
  stop.store(true);
  writer.join();
  ASSERT_TRUE(read);
  EXPECT_EQ(event.type(), WatchNotificationRequestEventsResponse::CREATED);
  EXPECT_TRUE(created_on_a.count(event.request_id())) << event.request_id();

  // A delete through A reaches B's stream too, after the creates before it.
  const std::string id = event.request_id();
  ASSERT_TRUE(A().requests->Delete(owner, id).ok());
  for (;;) {
    ASSERT_TRUE(stream->Read(&event));
    if (event.type() == WatchNotificationRequestEventsResponse::DELETED) break;
    EXPECT_EQ(event.type(), WatchNotificationRequestEventsResponse::CREATED);
  }
  EXPECT_EQ(event.request_id(), id);
  context.TryCancel();
}

}  // namespace
}  // namespace backinstock::testing
