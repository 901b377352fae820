// The real server with --data_dir, killed with SIGKILL in the middle of a
// concurrent Create / MarkAsNotificationSent / Report / Delete load on
// notification requests, restarted on the same directory, several times over.
// After each restart every acknowledged write must be there, exactly: each
// site belongs to one client thread, so the only uncertainty is the one call
// per thread that was in flight at the kill. Requests a report had claimed
// (PROCESSING, their email queued) are resumed after the restart and end
// NOTIFICATION_SENT with auto_notified, and the open-request counts must
// match the records.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "tests/e2e/durability/kill_point.h"
#include "tests/support/eventually.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {
namespace {

constexpr int kThreads = 6;
constexpr int kSitesPerThread = 2;
const char* const kItems[] = {"item-a", "item-b", "item-c"};

// What a client knows about one request.
struct Stored {
  std::string email;
  std::string item;
  NotificationRequest::Status status = NotificationRequest::RECEIVED;
  bool auto_notified = false;
  bool has_auto_notified = false;
};

struct InFlight {
  enum class Op { kCreate, kMark, kReport, kDelete } op = Op::kCreate;
  std::string id;     // kMark, kReport, kDelete
  std::string email;  // kCreate
};

struct SiteModel {
  std::string name;
  Credentials who;
  std::map<std::string, Stored> requests;  // by id: every acknowledged write
  std::optional<InFlight> in_flight;
  int next_email = 0;
};

bool SameAs(const Stored& a, const Stored& b) {
  return a.email == b.email && a.item == b.item && a.status == b.status &&
         a.has_auto_notified == b.has_auto_notified && a.auto_notified == b.auto_notified;
}

std::string Describe(const Stored& s) {
  return absl::StrCat(s.email, " ", s.item, " ", NotificationRequest::Status_Name(s.status),
                      s.has_auto_notified ? (s.auto_notified ? " auto" : " manual") : "");
}

Stored FromRequest(const NotificationRequest& request) {
  Stored stored;
  stored.email = request.email();
  stored.item = request.catalog_reference().catalog_item_id();
  stored.status = request.status();
  stored.has_auto_notified = request.has_auto_notified();
  stored.auto_notified = request.auto_notified().value();
  return stored;
}

class RequestCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(dir_ / "keys.json", TestKeysJson());
    for (int i = 0; i < kThreads * kSitesPerThread; ++i) {
      SiteModel site;
      site.name = absl::StrCat("req-crash-", i);
      site.who = As(site.name, "user");
      sites_.push_back(std::move(site));
    }
  }

  absl::StatusOr<std::unique_ptr<ServerProcess>> StartServer() {
    ServerProcess::Options options;
    options.args = {"--keys_file=" + (dir_ / "keys.json"), "--data_dir=" + (dir_ / "data"),
                    "--journal_segment_bytes=8192", "--audit_log=/dev/null"};
    return ServerProcess::Start(options);
  }

  // Every request the server has, by id, read through paged queries.
  static absl::StatusOr<std::map<std::string, Stored>> ReadAll(RequestCalls& calls,
                                                               const Credentials& who) {
    std::map<std::string, Stored> all;
    v1::PlatformQuery query;
    query.mutable_cursor_paging()->set_limit(100);
    for (;;) {
      auto page = calls.Query(who, query);
      if (!page.ok()) return page.status();
      for (const NotificationRequest& request : page->requests()) {
        all[request.id()] = FromRequest(request);
      }
      if (page->metadata().cursors().next().empty()) return all;
      query = v1::PlatformQuery();
      query.mutable_cursor_paging()->set_cursor(page->metadata().cursors().next());
    }
  }

  // The server's state must be the acknowledged one, give or take the call
  // that was in flight; then the model adopts it.
  void VerifyAndAdopt(ServerProcess& server) {
    RequestCalls calls(grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    for (SiteModel& site : sites_) {
      SCOPED_TRACE(site.name);
      // Emails queued before the kill are resumed: wait until they are out.
      absl::StatusOr<std::map<std::string, Stored>> actual;
      ASSERT_TRUE(Eventually([&] {
        actual = ReadAll(calls, site.who);
        if (!actual.ok()) return false;
        for (const auto& [id, stored] : *actual) {
          if (stored.status == NotificationRequest::PROCESSING) return false;
        }
        return true;
      })) << (actual.ok() ? "requests left PROCESSING" : actual.status().ToString());
      const std::optional<InFlight>& flight = site.in_flight;
      for (const auto& [id, stored] : *actual) {
        EXPECT_NE(stored.status, NotificationRequest::PROCESSING) << id << " was left PROCESSING";
        auto known = site.requests.find(id);
        if (known == site.requests.end()) {
          const bool landed_create = flight && flight->op == InFlight::Op::kCreate &&
                                     stored.email == flight->email &&
                                     stored.status == NotificationRequest::RECEIVED;
          EXPECT_TRUE(landed_create) << "unknown request " << id << ": " << Describe(stored);
          continue;
        }
        if (SameAs(stored, known->second)) continue;
        const bool in_flight_here = flight && flight->id == id;
        bool explained = false;
        if (in_flight_here && flight->op == InFlight::Op::kMark) {
          explained = stored.status == NotificationRequest::NOTIFICATION_SENT &&
                      stored.has_auto_notified && !stored.auto_notified;
        } else if (in_flight_here && flight->op == InFlight::Op::kReport) {
          // Claimed before the kill: its email resumed and sent.
          explained = stored.status == NotificationRequest::NOTIFICATION_SENT &&
                      stored.has_auto_notified && stored.auto_notified;
        }
        EXPECT_TRUE(explained) << id << " is " << Describe(stored) << "; acknowledged "
                               << Describe(known->second);
      }
      for (const auto& [id, stored] : site.requests) {
        if (actual->count(id)) continue;
        const bool deleting = flight && flight->op == InFlight::Op::kDelete && flight->id == id;
        EXPECT_TRUE(deleting) << "acknowledged request " << id << " is gone: " << Describe(stored);
      }
      // The open-request counts were rebuilt with the records.
      std::vector<v1::CatalogReference> references;
      std::vector<int> expected_open;
      for (const char* item : kItems) {
        references.push_back(RequestCalls::Reference(item));
        int open = 0;
        for (const auto& [id, stored] : *actual) {
          if (stored.item == item && stored.status == NotificationRequest::RECEIVED) ++open;
        }
        expected_open.push_back(open);
      }
      auto counts = calls.Count(site.who, references);
      ASSERT_TRUE(counts.ok()) << counts.status();
      EXPECT_EQ(*counts, expected_open);
      site.requests = *std::move(actual);
      site.in_flight.reset();
    }
  }

  // One client call on the thread's site; false once the server is gone.
  bool Step(RequestCalls& calls, SiteModel& site, std::mt19937& random) {
    std::vector<std::string> ids;
    std::vector<std::string> received;
    for (const auto& [id, stored] : site.requests) {
      ids.push_back(id);
      if (stored.status == NotificationRequest::RECEIVED) received.push_back(id);
    }
    const int dice = static_cast<int>(random() % 100);
    if (ids.empty() || dice < 45) {
      const std::string email = absl::StrCat("c", site.next_email++, "@shop.example");
      const std::string item = kItems[random() % 3];
      site.in_flight = InFlight{InFlight::Op::kCreate, "", email};
      auto created = calls.Create(site.who, item, email);
      if (!created.ok()) return false;
      site.requests[created->id()] = FromRequest(*created);
    } else if (dice < 65 || received.empty()) {
      const std::string id = ids[random() % ids.size()];
      site.in_flight = InFlight{InFlight::Op::kMark, id, ""};
      auto marked = calls.Mark(site.who, id);
      if (!marked.ok()) return false;
      site.requests[id] = FromRequest(*marked);
    } else if (dice < 80) {
      const std::string id = received[random() % received.size()];
      site.in_flight = InFlight{InFlight::Op::kReport, id, ""};
      v1::ReportItemsBackInStockRequest report;
      report.mutable_item_details()->set_name("Back again");
      report.mutable_item_details()->set_price("9.99");
      report.add_request_ids(id);
      if (!calls.Call(&RequestCalls::Stub::ReportItemsBackInStock, site.who, report).ok()) {
        return false;
      }
      // Queued: by the next check it has been sent (before the kill, or
      // resumed after the restart).
      Stored& stored = site.requests[id];
      stored.status = NotificationRequest::NOTIFICATION_SENT;
      stored.has_auto_notified = true;
      stored.auto_notified = true;
    } else {
      const std::string id = ids[random() % ids.size()];
      site.in_flight = InFlight{InFlight::Op::kDelete, id, ""};
      if (!calls.Delete(site.who, id).ok()) return false;
      site.requests.erase(id);
    }
    site.in_flight.reset();
    return true;
  }

  void LoadAndKill(ServerProcess& server, int acks, uint32_t seed) {
    auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
    LoadUntilKilled(server, kThreads, acks, [&](int t, const std::function<void()>& acknowledge) {
      RequestCalls calls(channel);
      std::mt19937 random(seed + t);
      for (;;) {
        SiteModel& site = sites_[t * kSitesPerThread + random() % kSitesPerThread];
        if (!Step(calls, site, random)) break;
        acknowledge();
      }
    });
  }

  TempDir dir_{"request-crash"};
  std::vector<SiteModel> sites_;
};

TEST_F(RequestCrashTest, EveryAcknowledgedRequestWriteSurvivesSigkillAtSeveralPoints) {
  {
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = StartServer();
    ASSERT_TRUE(server.ok()) << server.status();
    SettingsCalls settings(
        grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
    for (const SiteModel& site : sites_) {
      auto started = settings.Set(site.who, true);
      ASSERT_TRUE(started.ok()) << started.status();
    }
    ASSERT_TRUE((*server)->Stop(SIGKILL).ok());
  }
  const int kill_points[] = {1, 80, 300, 600};
  uint32_t seed = 20261129;
  size_t acknowledged_records = 0;
  for (int acks : kill_points) {
    SCOPED_TRACE(absl::StrCat("killed after ", acks, " acknowledged writes"));
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = StartServer();
    ASSERT_TRUE(server.ok()) << server.status();
    VerifyAndAdopt(**server);
    LoadAndKill(**server, acks, seed++);
  }
  absl::StatusOr<std::unique_ptr<ServerProcess>> server = StartServer();
  ASSERT_TRUE(server.ok()) << server.status();
  VerifyAndAdopt(**server);
  for (const SiteModel& site : sites_) acknowledged_records += site.requests.size();
  EXPECT_GT(acknowledged_records, 0u);
}

}  // namespace
}  // namespace backinstock::testing
