// The real binary's notification request flags: the Maildir (flag or
// environment) and delivery flags, and a cursor key shared by replicas so that a cursor issued by
// one is accepted by another, while a process with its own key refuses it.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/escaping.h"
#include "tests/support/eventually.h"
#include "tests/support/maildir.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;

class ServerFlagsTest : public ::testing::Test {
 protected:
  ServerFlagsTest() {
    keys_path_ = Write("keys", TestKeysJson());
    secret_path_ = Write("cursor-key", absl::Base64Escape(std::string(32, 's')) + "\n");
    mail_dir_ = TempPath("maildir");
  }
  ~ServerFlagsTest() override {
    for (const std::string& path : {keys_path_, secret_path_}) std::remove(path.c_str());
    RemoveTree(mail_dir_);
  }
  static std::string Write(const std::string& stem, const std::string& contents) {
    const std::string path = TempPath(stem);
    std::ofstream(path) << contents;
    return path;
  }
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> args,
                                       std::vector<std::pair<std::string, std::string>> env = {}) {
    args.push_back("--keys_file=" + keys_path_);
    args.push_back("--audit_log=/dev/null");
    absl::StatusOr<std::unique_ptr<ServerProcess>> process =
        ServerProcess::Start({std::move(args), std::move(env)});
    EXPECT_TRUE(process.ok()) << process.status();
    return process.ok() ? *std::move(process) : nullptr;
  }
  static std::shared_ptr<grpc::Channel> Channel(const ServerProcess& process) {
    return grpc::CreateChannel(process.address(), grpc::InsecureChannelCredentials());
  }

  std::string keys_path_;
  std::string secret_path_;
  std::string mail_dir_;
};

TEST_F(ServerFlagsTest, MaildirFromTheEnvironmentAndCursorsSharedByReplicas) {
  const std::string shared_key = "--cursor_secret_file=" + secret_path_;
  auto first = Start({shared_key}, {{"BACKINSTOCK_MAIL_DIR", mail_dir_}});
  auto replica = Start({shared_key});
  auto loner = Start({});
  ASSERT_TRUE(first && replica && loner);

  SettingsCalls settings(Channel(*first));
  ASSERT_TRUE(settings.Set(As("s", "user"), true).ok());
  RequestCalls calls(Channel(*first));
  std::vector<std::string> ids;
  for (const char* email : {"a@b.co", "c@d.co", "e@f.co"}) {
    ids.push_back(calls.Create(As("s", "visitor"), "shirt", email)->id());
  }
  ASSERT_TRUE(calls.Report(As("s", "user"), RequestCalls::ReportOf({ids[0]})).ok());
  EXPECT_THAT(first->Stdout(), HasSubstr("backinstock-server emails go to " + mail_dir_ + "\n"));
  ASSERT_TRUE(Eventually([&] { return !ReadMaildir(mail_dir_).empty(); })) << first->Stderr();
  std::vector<MaildirMessage> emails = ReadMaildir(mail_dir_);
  ASSERT_EQ(emails.size(), 1u);
  EXPECT_EQ(emails[0].delivered_to, "a@b.co");
  EXPECT_THAT(emails[0].message_id, HasSubstr(ids[0]));

  v1::PlatformQuery query;
  query.mutable_cursor_paging()->set_limit(2);
  auto page = calls.Query(As("s", "user"), query);
  ASSERT_TRUE(page.ok()) << page.status();
  v1::PlatformQuery next;
  next.mutable_cursor_paging()->set_cursor(page->metadata().cursors().next());
  // The replica holds no requests of its own, but takes the cursor.
  auto on_replica = RequestCalls(Channel(*replica)).Query(As("s", "user"), next);
  ASSERT_TRUE(on_replica.ok()) << on_replica.status();
  EXPECT_EQ(on_replica->requests_size(), 0);
  absl::Status on_loner = RequestCalls(Channel(*loner)).Query(As("s", "user"), next).status();
  EXPECT_EQ(on_loner.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(on_loner), "INVALID_CURSOR");

  for (auto* process : {first.get(), replica.get(), loner.get()}) {
    absl::StatusOr<int> status = process->Stop(SIGTERM);
    ASSERT_TRUE(status.ok());
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  }
}

TEST_F(ServerFlagsTest, RefusesBadCursorKeysMaildirsAndDeliveryFlags) {
  const std::string short_key = Write("short-key", absl::Base64Escape(std::string(16, 's')));
  const std::string not_base64 = Write("bad-key", "this is not base64!");
  const std::pair<std::string, std::string> cases[] = {
      {"--cursor_secret_file=" + short_key, "at least 32"},
      {"--cursor_secret_file=" + not_base64, "base64"},
      {"--cursor_secret_file=/nonexistent/key", "/nonexistent/key"},
      {"--mail_dir=/nonexistent/dir/mail", "/nonexistent/dir/mail"},
      {"--delivery_concurrency=0", "--delivery_concurrency"},
      {"--delivery_max_attempts=0", "--delivery_max_attempts"},
      {"--delivery_retry_initial=0s", "--delivery_retry_initial"},
      {"--delivery_max_age=-1s", "--delivery_max_age"},
  };
  for (const auto& [flag, says] : cases) {
    auto result = RunServerToExit({"--listen=127.0.0.1:0", "--keys_file=" + keys_path_, flag});
    ASSERT_TRUE(result.ok());
    EXPECT_NE(result->first, 0) << flag;
    EXPECT_THAT(result->second, HasSubstr(says)) << flag;
  }
  std::remove(short_key.c_str());
  std::remove(not_base64.c_str());
}

}  // namespace
}  // namespace backinstock::testing
