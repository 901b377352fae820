// The real binary: readiness line, flags and their environment variables,
// refusal to start without keys, graceful shutdown on SIGTERM/SIGINT, one log
// line per call without tokens, JSON logs.
#include "tests/support/server_process.h"

#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "tests/support/settings_calls.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ServerProcessTest : public ::testing::Test {
 protected:
  ServerProcessTest() { std::ofstream(keys_path_) << TestKeysJson(); }
  ~ServerProcessTest() override { unlink(keys_path_.c_str()); }

  std::unique_ptr<ServerProcess> Start(std::vector<std::string> args,
                                       std::vector<std::pair<std::string, std::string>> env = {}) {
    absl::StatusOr<std::unique_ptr<ServerProcess>> process =
        ServerProcess::Start({std::move(args), std::move(env)});
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? *std::move(process) : nullptr;
  }

  static std::shared_ptr<grpc::Channel> Channel(const ServerProcess& process) {
    return grpc::CreateChannel(process.address(), grpc::InsecureChannelCredentials());
  }

  const std::string keys_path_ = TempPath("keys.json");
};

TEST_F(ServerProcessTest, ServesAndStopsWithExitZeroOnSigterm) {
  auto process = Start({"--keys_file=" + keys_path_, "--audit_log=/dev/null"});
  ASSERT_NE(process, nullptr);
  SettingsCalls calls(Channel(*process));
  ASSERT_TRUE(calls.Set(As("s", "user"), true).ok());
  absl::StatusOr<int> status = process->Stop(SIGTERM);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_THAT(process->Stderr(), HasSubstr("shutting down"));
  EXPECT_THAT(process->Stderr(), HasSubstr("stopped"));
}

TEST_F(ServerProcessTest, SigintAlsoStopsCleanly) {
  auto process = Start({"--keys_file=" + keys_path_});
  ASSERT_NE(process, nullptr);
  absl::StatusOr<int> status = process->Stop(SIGINT);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(ServerProcessTest, OpenStreamsEndWithOkOnSigterm) {
  auto process = Start({"--keys_file=" + keys_path_, "--shutdown_grace=30s"});
  ASSERT_NE(process, nullptr);
  SettingsCalls calls(Channel(*process));
  grpc::ClientContext context;
  Authorize(context, IdentityToken("s", "visitor"));
  auto reader = calls.stub().WatchSettings(&context, v1::WatchSettingsRequest());
  v1::WatchSettingsResponse response;
  ASSERT_TRUE(reader->Read(&response));
  kill(process->pid(), SIGTERM);
  while (reader->Read(&response)) {
  }
  EXPECT_TRUE(reader->Finish().ok());
  absl::StatusOr<int> status = process->Stop(SIGTERM);  // reaps; already exiting
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(ServerProcessTest, RefusesToStartWithoutKeys) {
  auto result = RunServerToExit({"--listen=127.0.0.1:0"});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->first, 2);
  EXPECT_THAT(result->second, HasSubstr("--keys_file is required"));

  result = RunServerToExit({"--listen=127.0.0.1:0", "--keys_file=/nonexistent.json"});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->first, 2);
  EXPECT_THAT(result->second, HasSubstr("/nonexistent.json"));
}

TEST_F(ServerProcessTest, RefusesBadFlagValues) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--keys_file=" + keys_path_, "--log_format=xml"},
           {"--keys_file=" + keys_path_, "--supported_app_ids=not-a-guid"},
           {"--keys_file=" + keys_path_, "--max_message_bytes=10"},
           {"--keys_file=" + keys_path_, "--listen=256.0.0.1:1"},
       }) {
    auto result = RunServerToExit(args);
    ASSERT_TRUE(result.ok());
    EXPECT_NE(result->first, 0) << args.back();
  }
  auto result = RunServerToExit(
      {"--listen=127.0.0.1:0"},
      {{"BACKINSTOCK_KEYS_FILE", keys_path_}, {"BACKINSTOCK_MAX_MESSAGE_BYTES", "lots"}});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->first, 2);
  EXPECT_THAT(result->second, HasSubstr("BACKINSTOCK_MAX_MESSAGE_BYTES"));
}

TEST_F(ServerProcessTest, FlagsReadTheEnvironmentAndTheCommandLineWins) {
  const std::string other_app = "1380b703-ce81-ff05-f115-39571d94dfcd";
  auto process = Start(
      {}, {{"BACKINSTOCK_KEYS_FILE", keys_path_}, {"BACKINSTOCK_SUPPORTED_APP_IDS", other_app}});
  ASSERT_NE(process, nullptr);
  SettingsCalls calls(Channel(*process));
  absl::StatusOr<v1::BackInStockSettings> settings = calls.Get(As("s", "user"));
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->collection_states(0).app_id(), other_app);

  auto overridden =
      Start({"--supported_app_ids=" + std::string(kStoresApp)},
            {{"BACKINSTOCK_KEYS_FILE", keys_path_}, {"BACKINSTOCK_SUPPORTED_APP_IDS", other_app}});
  ASSERT_NE(overridden, nullptr);
  SettingsCalls calls2(Channel(*overridden));
  EXPECT_EQ(calls2.Get(As("s", "user"))->collection_states(0).app_id(), kStoresApp);
}

TEST_F(ServerProcessTest, OneLogLinePerCallAndNoTokens) {
  auto process = Start({"--keys_file=" + keys_path_, "--audit_log=-"});
  ASSERT_NE(process, nullptr);
  SettingsCalls calls(Channel(*process));
  const Credentials elevated{IdentityToken("site-x", "visitor"),
                             ElevationToken("site-x", {std::string(auth::kSettingsModify)})};
  ASSERT_TRUE(calls.Set(elevated, true).ok());
  ASSERT_TRUE(calls.Get(As("site-x", "visitor")).ok());
  ASSERT_FALSE(calls.Set(As("site-x", "visitor"), true).ok());
  ASSERT_TRUE(process->Stop(SIGTERM).ok());  // flushes the logs

  const std::string err = process->Stderr();
  int call_lines = 0;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (line.find(" INFO call ") == absl::string_view::npos) continue;
    ++call_lines;
    EXPECT_THAT(std::string(line), HasSubstr("site=site-x"));
    EXPECT_THAT(std::string(line), HasSubstr("latency_ms="));
    EXPECT_THAT(std::string(line), HasSubstr("method=/backinstock.v1.BackInStockSettingsService/"));
  }
  EXPECT_EQ(call_lines, 3);
  EXPECT_THAT(err, HasSubstr("code=PERMISSION_DENIED"));
  EXPECT_THAT(err, HasSubstr(R"("elevated_by":"test-backend")"));  // the audit line
  EXPECT_THAT(err, Not(HasSubstr(elevated.identity)));
  EXPECT_THAT(err, Not(HasSubstr(*elevated.elevation)));
  // Not even the signature part of a token.
  EXPECT_THAT(err, Not(HasSubstr(elevated.identity.substr(elevated.identity.rfind('.') + 1))));
}

TEST_F(ServerProcessTest, JsonLogs) {
  auto process = Start({"--keys_file=" + keys_path_, "--log_format=json"});
  ASSERT_NE(process, nullptr);
  SettingsCalls calls(Channel(*process));
  ASSERT_TRUE(calls.Get(As("s", "visitor")).ok());
  ASSERT_TRUE(process->Stop(SIGTERM).ok());
  int calls_logged = 0;
  for (absl::string_view line : absl::StrSplit(process->Stderr(), '\n', absl::SkipEmpty())) {
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(object.is_discarded()) << line;
    if (object["msg"] == "call") {
      ++calls_logged;
      EXPECT_EQ(object["site"], "s");
      EXPECT_EQ(object["code"], "OK");
      EXPECT_TRUE(object["latency_ms"].is_number());
    }
  }
  EXPECT_EQ(calls_logged, 1);
}

}  // namespace
}  // namespace backinstock::testing
