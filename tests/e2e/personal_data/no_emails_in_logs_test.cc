// No customer email address in any server log line, audit line or metric
// label: the real server, its audit log in a file and metrics on, gets a
// mix of calls that carry addresses (creates, duplicates, malformed ones,
// denied and elevated calls, queries by email, reports delivered to a relay
// that accepts, refuses and defers), then every line and the metrics page are
// searched for every address used, case-insensitively.
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/logging/redact.h"
#include "tests/e2e/retention/retention_e2e_util.h"
#include "tests/support/eventually.h"
#include "tests/support/metrics_client.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/smtp_relay.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "pd-logs";
constexpr char kCreatePermission[] = "ECOM.CREATE_BACK_IN_STOCK_NOTIFICATION_REQUESTS";
constexpr char kReadPermission[] = "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST(RedactEmailsTest, EveryWordWithAnAtSignGoesWhateverItLooksLike) {
  using logging::RedactEmails;
  EXPECT_EQ(RedactEmails("550 5.1.1 <Alice.Smith@Example.com>: no such user"),
            "550 5.1.1 <[email]>: no such user");
  EXPECT_EQ(RedactEmails("bad \"x@@y\" and (a@b,c@d)"), "bad \"[email]\" and ([email],[email])");
  EXPECT_EQ(RedactEmails("no address here"), "no address here");
  EXPECT_EQ(RedactEmails("@"), "[email]");
}

class NoEmailsInLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(keys_path_) << TestKeysJson();
    SmtpRelay::Options relay_options;
    relay_options.rules = {"refused*=550", "deferred*=451x1"};
    auto relay = SmtpRelay::Start(relay_options);
    ASSERT_TRUE(relay.ok()) << relay.status();
    relay_ = *std::move(relay);
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_,
                    "--audit_log=" + audit_path_,
                    "--metrics_listen=127.0.0.1:0",
                    "--smtp_url=" + relay_->url(),
                    "--smtp_starttls=off",
                    "--mail_from=shop@merchant.example",
                    "--delivery_retry_initial=100ms",
                    "--delivery_retry_max=200ms"};
    auto process = ServerProcess::Start(options);
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    metrics_port_ = server_->MetricsPort();
    ASSERT_GT(metrics_port_, 0);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    server_.reset();
    relay_.reset();
    std::filesystem::remove(keys_path_);
    std::filesystem::remove(audit_path_);
  }

  const std::string keys_path_ = TempPath("pd-keys.json");
  const std::string audit_path_ = TempPath("pd-audit.log");
  std::unique_ptr<SmtpRelay> relay_;
  std::unique_ptr<ServerProcess> server_;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(NoEmailsInLogsTest, NoLogLineAuditLineOrMetricHoldsACustomersAddress) {
  RequestCalls calls(channel_);
  const Credentials owner = As(kSite, "user");
  const Credentials visitor = As(kSite, "visitor");
  ASSERT_TRUE(SettingsCalls(channel_).Set(owner, true).ok());

  const std::vector<std::string> delivered = {"Alice.Smith@Customers.Example",
                                              "bob+shoes@customers.example"};
  const std::string refused = "refused.carol@customers.example";
  const std::string deferred = "deferred.dave@customers.example";
  const std::vector<std::string> malformed = {"eve@@customers.example", "frank@", "@grace.example",
                                              "heidi customers.example@"};
  std::vector<std::string> used = delivered;
  used.insert(used.end(), {refused, deferred});
  used.insert(used.end(), malformed.begin(), malformed.end());
  const std::string denied_email = "ivan.denied@customers.example";
  const std::string elevated_email = "judy.elevated@customers.example";
  used.insert(used.end(), {denied_email, elevated_email});

  std::vector<std::string> ids;
  for (const std::string& email :
       std::vector<std::string>{delivered[0], delivered[1], refused, deferred}) {
    auto created = calls.Create(visitor, "shirt", email);
    ASSERT_TRUE(created.ok()) << email << ": " << created.status();
    ids.push_back(created->id());
    // The same again: refused as a duplicate, naming the open request.
    EXPECT_EQ(calls.Create(visitor, "shirt", absl::AsciiStrToUpper(email)).status().code(),
              absl::StatusCode::kAlreadyExists);
  }
  for (const std::string& email : malformed) {
    EXPECT_EQ(calls.Create(visitor, "shirt", email).status().code(),
              absl::StatusCode::kInvalidArgument)
        << email;
  }
  // Denied: no token at all, and a token of another kind of caller.
  EXPECT_EQ(calls.Create(Credentials{"", std::nullopt}, "shirt", denied_email).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(calls
                .Create(Elevated(kSite, "visitor", "other-site", {kCreatePermission}), "shirt",
                        denied_email)
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  // Elevated (audited) calls that carry an address.
  auto elevated =
      calls.Create(Elevated(kSite, "visitor", kSite, {kCreatePermission}), "hat", elevated_email);
  ASSERT_TRUE(elevated.ok()) << elevated.status();
  v1::PlatformQuery by_email;
  *by_email.mutable_filter() =
      JsonStruct(absl::StrCat(R"({"email": {"$eq": ")", delivered[0], R"("}})"));
  // Queries cannot filter on the email (not a filter field): refused, with
  // the address in the filter all the same.
  EXPECT_FALSE(calls.Query(Elevated(kSite, "visitor", kSite, {kReadPermission}), by_email).ok());
  EXPECT_FALSE(calls.Query(owner, by_email).ok());
  // Reported: two delivered, one refused for good (FAILED), one deferred once.
  ASSERT_TRUE(calls.Report(owner, RequestCalls::ReportOf(ids)).ok());
  ASSERT_TRUE(Eventually(
      [&] {
        for (const std::string& id : ids) {
          auto request = calls.Get(owner, id);
          if (!request.ok() || request->status() == NotificationRequest::PROCESSING) return false;
        }
        return true;
      },
      absl::Seconds(60)));
  EXPECT_EQ(calls.Get(owner, ids[2])->status(), NotificationRequest::FAILED);
  EXPECT_EQ(calls.Get(owner, ids[3])->status(), NotificationRequest::NOTIFICATION_SENT);
  // Deleted, and then gone (NOT_FOUND names only the id).
  ASSERT_TRUE(calls.Delete(owner, ids[0]).ok());
  EXPECT_EQ(calls.Delete(owner, ids[0]).code(), absl::StatusCode::kNotFound);

  absl::StatusOr<HttpReply> metrics = HttpRequest(metrics_port_, "GET", "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_EQ(metrics->status, 200);
  ASSERT_TRUE(server_->Stop(SIGTERM).ok());  // flushes the log and the audit log

  const std::string log = server_->Stderr();
  const std::string audit = ReadAll(audit_path_);
  // The search means something: the calls above were logged and audited,
  // the failed delivery with the relay's answer.
  ASSERT_THAT(log, ::testing::HasSubstr("CreateBackInStockNotificationRequest"));
  ASSERT_THAT(log, ::testing::HasSubstr("email failed"));
  ASSERT_THAT(audit, ::testing::HasSubstr("PERMISSION_DENIED"));
  ASSERT_THAT(audit, ::testing::HasSubstr("CreateBackInStockNotificationRequest"));
  const std::string all =
      absl::AsciiStrToLower(absl::StrCat(log, "\n", audit, "\n", metrics->body));
  for (const std::string& email : used) {
    EXPECT_EQ(all.find(absl::AsciiStrToLower(email)), std::string::npos)
        << email << " appears in a log line, an audit line or the metrics page";
  }
}

}  // namespace
}  // namespace backinstock::testing
