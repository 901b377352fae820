// The real server with --data_dir, killed with SIGKILL in the middle of a
// concurrent Start/Stop load, restarted on the same directory, several times
// over: every write a client saw acknowledged must be there after each
// restart, and nothing else but the writes that were in flight at the kill.
//
// Each site belongs to one client thread, so the acknowledged history of a
// site is a sequence, and its expected state is exact: the last acknowledged
// response, or that plus the one call that was in flight when the server died.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/e2e/durability/kill_point.h"
#include "tests/support/server_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

constexpr char kAppA[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";
constexpr char kAppB[] = "1380b703-ce81-ff05-f115-39571d94dfcd";
constexpr int kThreads = 6;
constexpr int kSitesPerThread = 8;

struct SiteState {
  int64_t revision = 0;
  bool collecting[2] = {false, false};

  bool operator==(const SiteState& other) const {
    return revision == other.revision && collecting[0] == other.collecting[0] &&
           collecting[1] == other.collecting[1];
  }
};

std::string Describe(const SiteState& s) {
  return absl::StrCat("{revision ", s.revision, ", A ", s.collecting[0], ", B ", s.collecting[1],
                      "}");
}

// What the clients know about a site.
struct SiteModel {
  std::string name;
  std::string token;
  SiteState acknowledged;
  std::optional<SiteState> in_flight;  // sent, no answer: may or may not have landed
};

SiteState FromSettings(const v1::BackInStockSettings& settings) {
  SiteState state;
  state.revision = settings.revision();
  for (const auto& app : settings.collection_states()) {
    if (app.app_id() == kAppA) state.collecting[0] = app.collecting_requests();
    if (app.app_id() == kAppB) state.collecting[1] = app.collecting_requests();
  }
  return state;
}

void WithToken(grpc::ClientContext& context, const std::string& token) {
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteBytes(dir_ / "keys.json", TestKeysJson());
    for (int t = 0; t < kThreads; ++t) {
      for (int s = 0; s < kSitesPerThread; ++s) {
        SiteModel model;
        model.name = absl::StrCat("crash-site-", t, "-", s);
        model.token = IdentityToken(model.name, "user");
        sites_.push_back(std::move(model));
      }
    }
  }

  // Small segments by default, so that rotation and background snapshots
  // happen during the load too.
  absl::StatusOr<std::unique_ptr<ServerProcess>> StartServer(int segment_bytes = 4096) {
    ServerProcess::Options options;
    options.args = {"--keys_file=" + (dir_ / "keys.json"), "--data_dir=" + (dir_ / "data"),
                    absl::StrCat("--supported_app_ids=", kAppA, ",", kAppB),
                    absl::StrCat("--journal_segment_bytes=", segment_bytes),
                    "--audit_log=/dev/null"};
    return ServerProcess::Start(options);
  }

  // Every site as the server has it now must be what the clients were told,
  // or that plus the write that was in flight. Then the model adopts it.
  void VerifyAndAdopt(ServerProcess& server) {
    auto stub = v1::BackInStockSettingsService::NewStub(
        grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials()));
    for (SiteModel& site : sites_) {
      grpc::ClientContext context;
      WithToken(context, site.token);
      v1::GetSettingsResponse response;
      const grpc::Status status = stub->GetSettings(&context, v1::GetSettingsRequest(), &response);
      ASSERT_TRUE(status.ok()) << site.name << ": " << status.error_message();
      const SiteState actual = FromSettings(response.settings());
      const bool as_acknowledged = actual == site.acknowledged;
      const bool with_in_flight = site.in_flight && actual == *site.in_flight;
      EXPECT_TRUE(as_acknowledged || with_in_flight)
          << site.name << " is " << Describe(actual) << "; acknowledged "
          << Describe(site.acknowledged)
          << (site.in_flight ? " then in flight " + Describe(*site.in_flight) : std::string());
      site.acknowledged = actual;
      site.in_flight.reset();
    }
  }

  // Runs the write load until `acks` writes were acknowledged, then SIGKILLs
  // the server while the clients keep writing.
  void LoadAndKill(ServerProcess& server, int acks, uint32_t seed) {
    auto channel = grpc::CreateChannel(server.address(), grpc::InsecureChannelCredentials());
    std::atomic<int> unexpected{0};
    LoadUntilKilled(server, kThreads, acks, [&](int t, const std::function<void()>& acknowledge) {
      auto stub = v1::BackInStockSettingsService::NewStub(channel);
      std::mt19937 random(seed + t);
      for (;;) {
        SiteModel& site = sites_[t * kSitesPerThread + random() % kSitesPerThread];
        const int app = static_cast<int>(random() % 2);
        const bool collect = !site.acknowledged.collecting[app];
        SiteState next = site.acknowledged;
        next.revision += 1;
        next.collecting[app] = collect;
        site.in_flight = next;

        grpc::ClientContext context;
        WithToken(context, site.token);
        grpc::Status status;
        v1::BackInStockSettings settings;
        if (collect) {
          v1::StartCollectingRequestsRequest request;
          request.set_app_id(app == 0 ? kAppA : kAppB);
          v1::StartCollectingRequestsResponse response;
          status = stub->StartCollectingRequests(&context, request, &response);
          settings = response.settings();
        } else {
          v1::StopCollectingRequestsRequest request;
          request.set_app_id(app == 0 ? kAppA : kAppB);
          v1::StopCollectingRequestsResponse response;
          status = stub->StopCollectingRequests(&context, request, &response);
          settings = response.settings();
        }
        if (!status.ok()) break;  // the server is gone; `in_flight` stays
        if (!(FromSettings(settings) == next)) ++unexpected;
        site.acknowledged = next;
        site.in_flight.reset();
        acknowledge();
      }
    });
    EXPECT_EQ(unexpected.load(), 0) << "an acknowledged write answered another state";
  }

  TempDir dir_{"crash"};
  std::vector<SiteModel> sites_;
};

TEST_F(CrashTest, EveryAcknowledgedWriteSurvivesSigkillAtSeveralPoints) {
  // Kill points, in acknowledged writes since the (re)start; every round goes
  // on from the state the previous one left.
  const int kill_points[] = {1, 60, 250, 700};
  uint32_t seed = 20240611;
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
  int64_t total_revisions = 0;
  for (const SiteModel& site : sites_) total_revisions += site.acknowledged.revision;
  EXPECT_GE(total_revisions, 1 + 60 + 250 + 700);
}

TEST_F(CrashTest, ADamagedJournalStopsStartupWithFileAndOffset) {
  {
    // One segment (no rotation), so that the damage is in the middle of it.
    absl::StatusOr<std::unique_ptr<ServerProcess>> server = StartServer(1 << 20);
    ASSERT_TRUE(server.ok()) << server.status();
    LoadAndKill(**server, 30, 7);
  }
  // Flip a byte inside the first data record (the file header record, 44
  // bytes, comes first).
  std::string segment;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "data/settings")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("journal-", 0) == 0 && (segment.empty() || entry.path().string() < segment)) {
      segment = entry.path().string();
    }
  }
  ASSERT_FALSE(segment.empty());
  std::string bytes = ReadBytes(segment);
  ASSERT_GT(bytes.size(), 200u);
  bytes[60] = static_cast<char>(bytes[60] ^ 0x20);
  WriteBytes(segment, bytes);

  absl::StatusOr<std::pair<int, std::string>> run =
      RunServerToExit({"--keys_file=" + (dir_ / "keys.json"), "--data_dir=" + (dir_ / "data"),
                       "--listen=127.0.0.1:0", "--audit_log=/dev/null"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->first, 0);
  EXPECT_NE(run->second.find(segment + ": byte offset 44: "), std::string::npos) << run->second;
}

}  // namespace
}  // namespace backinstock::testing
