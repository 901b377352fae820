// Retention end to end, with the real server and short periods: settled
// requests go, open ones stay until their own period, each deletion is a
// DELETED event; with --data_dir, a SIGKILL in the middle of a sweep loses
// nothing that should be kept.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/e2e/retention/retention_e2e_util.h"
#include "tests/support/eventually.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "retention-e2e";

class RetentionE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(keys_path_) << TestKeysJson(); }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove(keys_path_);
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
  }

  void Start(const std::vector<std::string>& args) {
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--audit_log=/dev/null",
                    "--retention_sweep_interval=100ms"};
    if (!data_dir_.empty()) options.args.push_back("--data_dir=" + data_dir_);
    options.args.insert(options.args.end(), args.begin(), args.end());
    auto process = ServerProcess::Start(options);
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    calls_ = std::make_unique<RequestCalls>(channel_);
  }

  // Creates a request for `email` on an item of its own; its id.
  std::string Create(const std::string& email) {
    auto created = calls_->Create(visitor_, "item-" + email, email);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  const std::string keys_path_ = TempPath("retention-keys.json");
  std::string data_dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<RequestCalls> calls_;
  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
};

TEST_F(RetentionE2eTest, SettledRequestsGoOpenOnesStayUntilTheirOwnPeriodAndEventsAreSent) {
  const absl::Duration open_period = absl::Seconds(8);
  ASSERT_NO_FATAL_FAILURE(
      Start({"--retention_settled=1s", "--retention_open=" + absl::FormatDuration(open_period)}));
  ASSERT_TRUE(SettingsCalls(channel_).Set(owner_, true).ok());
  DeletedEvents events(channel_, owner_);
  const absl::Time open_created = absl::Now();
  const std::string open = Create("open@customers.example");
  const std::string sent = Create("sent@customers.example");
  ASSERT_TRUE(calls_->Mark(owner_, sent).ok());

  ASSERT_TRUE(Eventually([&] { return events.ids().count(sent) == 1; }, absl::Seconds(60)))
      << "the settled request was never swept";
  EXPECT_FALSE(Exists(*calls_, owner_, sent));
  // Judged by the test's own clock, so that a slow machine cannot fail it:
  // while the open request's period is not over, it is still there.
  const bool exists = Exists(*calls_, owner_, open);
  if (absl::Now() - open_created < open_period) {
    EXPECT_TRUE(exists) << "an open request went before its own period";
  }
  ASSERT_TRUE(Eventually([&] { return events.ids().count(open) == 1; }, absl::Seconds(60)))
      << "the open request was never swept after its period";
  EXPECT_FALSE(Exists(*calls_, owner_, open));
}

TEST_F(RetentionE2eTest, ASigkillInTheMiddleOfASweepLosesNothingThatShouldBeKept) {
  data_dir_ = TempPath("retention-data");
  std::filesystem::create_directories(data_dir_);
  // Nothing swept yet: 10 open requests to keep and 40 settled ones.
  ASSERT_NO_FATAL_FAILURE(Start({"--retention_settled=0", "--retention_open=0"}));
  ASSERT_TRUE(SettingsCalls(channel_).Set(owner_, true).ok());
  std::vector<std::string> keep, go;
  for (int i = 0; i < 10; ++i) keep.push_back(Create(absl::StrCat("keep", i, "@c.example")));
  for (int i = 0; i < 40; ++i) {
    go.push_back(Create(absl::StrCat("go", i, "@c.example")));
    ASSERT_TRUE(calls_->Mark(owner_, go.back()).ok());
  }
  ASSERT_TRUE(server_->Stop(SIGTERM).ok());

  // One deletion per run: killed once a few are out.
  ASSERT_NO_FATAL_FAILURE(Start({"--retention_settled=1s", "--retention_open=1000h",
                                 "--retention_sweep_batch=1", "--retention_sweep_interval=20ms"}));
  std::set<std::string> seen;
  {
    DeletedEvents events(channel_, owner_);
    ASSERT_TRUE(Eventually([&] { return events.ids().size() >= 3; }, absl::Seconds(60)));
    ASSERT_TRUE(server_->Stop(SIGKILL).ok());
    seen = events.ids();
  }

  // Restarted without sweeping: every kept request is there, unchanged, and
  // every deletion an event announced stayed done.
  ASSERT_NO_FATAL_FAILURE(Start({"--retention_settled=0", "--retention_open=0"}));
  for (const std::string& id : keep) {
    auto request = calls_->Get(owner_, id);
    ASSERT_TRUE(request.ok()) << id << ": " << request.status();
    EXPECT_EQ(request->status(), NotificationRequest::RECEIVED);
  }
  int left = 0;
  for (const std::string& id : go) {
    auto request = calls_->Get(owner_, id);
    if (request.ok()) {
      EXPECT_EQ(request->status(), NotificationRequest::NOTIFICATION_SENT);
      EXPECT_EQ(seen.count(id), 0u) << id << " was deleted before the kill, yet is back";
      ++left;
    } else {
      EXPECT_EQ(request.status().code(), absl::StatusCode::kNotFound);
    }
  }
  EXPECT_LE(left, 40 - static_cast<int>(seen.size()));
  ASSERT_TRUE(server_->Stop(SIGTERM).ok());

  // Sweeping again: the rest goes (its settled times survived the restarts),
  // the kept ones stay.
  ASSERT_NO_FATAL_FAILURE(Start({"--retention_settled=1s", "--retention_open=1000h"}));
  ASSERT_TRUE(Eventually(
      [&] {
        for (const std::string& id : go) {
          if (Exists(*calls_, owner_, id)) return false;
        }
        return true;
      },
      absl::Seconds(60)))
      << left << " settled requests were left after the kill";
  for (const std::string& id : keep) EXPECT_TRUE(Exists(*calls_, owner_, id)) << id;
}

}  // namespace
}  // namespace backinstock::testing
