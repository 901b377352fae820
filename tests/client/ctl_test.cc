// backinstockctl as users run it: a child process against a server in this
// process. Every RPC is a command, JSON in and out, exit codes 0 / 1 / 2, the
// ErrorInfo reason on failure, tokens minted from a keys file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "nlohmann/json.hpp"
#include "tests/client/subprocess.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kStores[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

class CtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_path_ = TempPath("ctl-keys");
    std::ofstream(keys_path_) << TestKeysJson();
  }
  void TearDown() override { unlink(keys_path_.c_str()); }

  std::vector<std::pair<std::string, std::string>> Env() const {
    return {{"BACKINSTOCK_TARGET", server_.address()}};
  }

  Completed Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), BACKINSTOCKCTL_BINARY);
    return RunProgram(args, Env());
  }

  // A token minted by `backinstockctl token`.
  std::string Token(std::vector<std::string> args) {
    args.insert(args.begin(), {"token"});
    args.push_back("--keys_file=" + keys_path_);
    Completed minted = Ctl(args);
    EXPECT_EQ(minted.exit_code, 0) << minted.err;
    return std::string(absl::StripTrailingAsciiWhitespace(minted.out));
  }
  std::string Identity(const std::string& site, const std::string& role) {
    return Token({"identity", "--site=" + site, "--role=" + role});
  }

  std::string keys_path_;
  TestServer server_;
};

TEST_F(CtlTest, EveryRpcOfEveryServiceIsACommandWithHelp) {
  int methods = 0;
  for (const google::protobuf::FileDescriptor* file :
       {v1::GetSettingsRequest::descriptor()->file(),
        v1::GetBackInStockNotificationRequestRequest::descriptor()->file(),
        v1::GetEmailTemplateRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        const auto* method = file->service(s)->method(m);
        SCOPED_TRACE(method->full_name());
        Completed help = Ctl({method->name(), "--help"});
        EXPECT_EQ(help.exit_code, 0) << help.err;
        EXPECT_THAT(help.out, HasSubstr(absl::StrCat("RPC: ", file->service(s)->full_name(), "/",
                                                     method->name())));
        EXPECT_THAT(help.out, HasSubstr("Usage: backinstockctl "));
        ++methods;
      }
    }
  }
  EXPECT_EQ(methods, 18);
  Completed token_help = Ctl({"token", "--help"});
  EXPECT_EQ(token_help.exit_code, 0);
  EXPECT_THAT(token_help.out, HasSubstr("--keys_file"));
  Completed main_help = Ctl({"--help"});
  EXPECT_EQ(main_help.exit_code, 0);
  EXPECT_THAT(main_help.out, HasSubstr("watch-request-events"));
}

TEST_F(CtlTest, GetSettingsPrintsProto3Json) {
  Completed got = Ctl({"get-settings", "--token", Identity("ctl-get", "member")});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  const nlohmann::json json = nlohmann::json::parse(got.out);
  EXPECT_EQ(json["settings"]["collectionStates"][0]["appId"], kStores);
  EXPECT_EQ(json["settings"]["collectionStates"][0]["collectingRequests"], false);
  EXPECT_EQ(json["settings"]["revision"], "0");  // int64 is a string in proto3 JSON
}

TEST_F(CtlTest, StartWithAnElevationToken) {
  const std::string elevation =
      Token({"elevation", "--site=ctl-elevated", "--perms=SETTINGS_MODIFY", "--ttl=120s"});
  Completed started = Ctl({"start-collecting-requests", kStores, "--token",
                           Identity("ctl-elevated", "visitor"), "--elevation_token", elevation});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(
      nlohmann::json::parse(started.out)["settings"]["collectionStates"][0]["collectingRequests"],
      true);
}

TEST_F(CtlTest, RequestFromAFile) {
  const std::string path = TempPath("ctl-request");
  std::ofstream(path) << R"({"appId": ")" << kStores << R"("})";
  Completed stopped = Ctl(
      {"StopCollectingRequests", "--request=@" + path, "--token", Identity("ctl-file", "user")});
  unlink(path.c_str());
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(nlohmann::json::parse(stopped.out)["settings"]["revision"], "0");
}

TEST_F(CtlTest, FailedCallExitsOneWithTheReason) {
  Completed denied =
      Ctl({"start-collecting-requests", kStores, "--token", Identity("ctl-denied", "visitor")});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_THAT(denied.out, IsEmpty());
  EXPECT_THAT(denied.err, HasSubstr("PERMISSION_DENIED"));
  EXPECT_THAT(denied.err, HasSubstr("reason: ELEVATION_REQUIRED"));
  EXPECT_THAT(denied.err, HasSubstr("permission: ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS"));

  Completed invalid =
      Ctl({"start-collecting-requests", "nope", "--token", Identity("ctl-denied", "user")});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_THAT(invalid.err, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(invalid.err, HasSubstr("field app_id:"));

  Completed anonymous = Ctl({"get-settings"});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_THAT(anonymous.err, HasSubstr("reason: TOKEN_MISSING"));
}

TEST_F(CtlTest, UsageErrorsExitTwo) {
  const std::string keys = "--keys_file=" + keys_path_;
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"bogus"},
      {"get-settings", "--bogus"},
      {"get-settings", "extra-word"},
      {"get-settings", "--keys_file=x"},
      {"get-settings", "--deadline=soon"},
      {"get-settings", "--target"},
      {"start-collecting-requests", "--request", "{not json"},
      {"start-collecting-requests", "--request", R"({"appIdx": "a"})"},
      {"start-collecting-requests", "a", "b"},
      {"watch-settings", "--max_messages=0"},
      {"token"},
      {"token", "identity", "--site=s", "--role=user"},
      {"token", "identity", keys, "--role=user"},
      {"token", "identity", keys, "--site=s"},
      {"token", "identity", keys, "--site=s", "--role=admin"},
      {"token", "elevation", keys, "--site=s", "--perms=NOPE"},
      {"token", "elevation", keys, "--site=s", "--perms=SETTINGS_READ", "--ttl=301s"},
      {"token", "elevation", keys, "--site=s", "--perms=SETTINGS_READ", "--kid=missing"},
  };
  for (const auto& args : cases) {
    SCOPED_TRACE(::testing::PrintToString(args));
    Completed run = Ctl(args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr("backinstockctl"));
  }
}

TEST_F(CtlTest, UnreadableKeysFileIsAFailure) {
  Completed run =
      Ctl({"token", "identity", "--keys_file=/nonexistent/keys.json", "--site=s", "--role=user"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, IsEmpty());
}

TEST_F(CtlTest, WatchPrintsOneJsonLinePerMessage) {
  const std::string token = Identity("ctl-watch", "user");
  std::vector<std::pair<std::string, std::string>> env = Env();
  env.emplace_back("BACKINSTOCK_TOKEN", token);  // the token from the environment
  Background watch({BACKINSTOCKCTL_BINARY, "watch-settings", "--max_messages=2"}, env);

  auto first = watch.ReadLine();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(nlohmann::json::parse(*first)["settings"]["revision"], "0");

  Completed started = Ctl({"start-collecting-requests", kStores, "--token", token});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  auto second = watch.ReadLine();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(nlohmann::json::parse(*second)["settings"]["revision"], "1");
  EXPECT_FALSE(watch.ReadLine().has_value());
  EXPECT_EQ(watch.Wait(), 0);
}

TEST_F(CtlTest, NotificationRequestCommands) {
  const std::string user = Identity("ctl-requests", "user");
  ASSERT_EQ(Ctl({"start-collecting-requests", kStores, "--token", user}).exit_code, 0);
  const std::string create = absl::StrCat(
      R"({"request": {"catalogReference": {"catalogItemId": "item-1", "appId": ")", kStores,
      R"("}, "email": "jane@example.com"}, "itemDetails": {"name": "Mug", "price": "12.50"}})");
  Completed created =
      Ctl({"create-request", "--request", create, "--token", Identity("ctl-requests", "visitor")});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const nlohmann::json request = nlohmann::json::parse(created.out)["request"];
  EXPECT_EQ(request["status"], "RECEIVED");
  EXPECT_EQ(request["catalogReference"]["catalogItemId"], "item-1");

  Completed queried = Ctl({"query-requests", "--request",
                           R"({"query": {"filter": {"status": "RECEIVED"}}})", "--token", user});
  ASSERT_EQ(queried.exit_code, 0) << queried.err;
  EXPECT_EQ(nlohmann::json::parse(queried.out)["requests"][0]["id"], request["id"]);

  Completed duplicate = Ctl({"create-request", "--request", create, "--token", user});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_THAT(duplicate.err,
              HasSubstr("reason: BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS"));

  Completed deleted = Ctl({"delete-request", request["id"].get<std::string>(), "--token", user});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(nlohmann::json::parse(deleted.out), nlohmann::json::object());

  Completed again = Ctl({"create-request", "--request", create, "--token", user});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::string id = nlohmann::json::parse(again.out)["request"]["id"];
  Completed exported = Ctl({"export-customer-data", "JANE@example.com", "--token", user});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(nlohmann::json::parse(exported.out)["requests"][0]["id"], id);
  Completed erased = Ctl({"erase-customer-data", "jane@example.com", "--token", user});
  ASSERT_EQ(erased.exit_code, 0) << erased.err;
  EXPECT_EQ(nlohmann::json::parse(erased.out)["erasedCount"], 1);
  EXPECT_EQ(nlohmann::json::parse(erased.out)["erasedRequestIds"][0], id);
}

TEST_F(CtlTest, InterruptEndsAWatchCleanly) {
  Background watch(
      {BACKINSTOCKCTL_BINARY, "watch-settings", "--token", Identity("ctl-interrupt", "user")},
      Env());
  auto first = watch.ReadLine();
  ASSERT_TRUE(first.has_value());  // the stream is open
  watch.Signal(SIGINT);
  EXPECT_FALSE(watch.ReadLine().has_value());
  EXPECT_EQ(watch.Wait(), 0);
}

}  // namespace
}  // namespace backinstock::testing
