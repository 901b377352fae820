// The SMTP flags are checked before the server starts (docs/operations.md, "Mail relay").
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/support/server_process.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

class SmtpFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(keys_) << TestKeysJson(); }
  void TearDown() override {
    std::remove(keys_.c_str());
    std::remove(password_.c_str());
  }

  // Exit code and stderr of the server started with `args`.
  std::pair<int, std::string> Run(std::vector<std::string> args,
                                  std::vector<std::pair<std::string, std::string>> env = {}) {
    args.push_back("--keys_file=" + keys_);
    args.push_back("--listen=127.0.0.1:0");
    auto result = RunServerToExit(args, env);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : std::make_pair(-1, std::string());
  }

  void ExpectRefused(std::vector<std::string> args, const std::string& message,
                     std::vector<std::pair<std::string, std::string>> env = {}) {
    auto [code, err] = Run(std::move(args), std::move(env));
    EXPECT_NE(code, 0);
    EXPECT_NE(err.find(message), std::string::npos) << err;
  }

  const std::string keys_ = TempPath("smtp-flags-keys");
  const std::string password_ = TempPath("smtp-password");
};

TEST_F(SmtpFlagsTest, BadRelaySettingsAreRefusedAtStartup) {
  ExpectRefused({"--smtp_url=smtp://127.0.0.1:2525"}, "--mail_from is required with --smtp_url");
  ExpectRefused({"--smtp_url=smtp://127.0.0.1:2525", "--mail_from=nobody"},
                "is not an ASCII email address");
  ExpectRefused({"--smtp_url=http://127.0.0.1:2525", "--mail_from=shop@example.com"},
                "--smtp_url must be smtp://host:port or smtps://host:port");
  ExpectRefused({"--smtp_starttls=sometimes"},
                "--smtp_starttls must be off, opportunistic or required");
  ExpectRefused({"--smtp_url=smtp://127.0.0.1:2525", "--mail_from=shop@example.com",
                 "--smtp_username=u", "--smtp_password_file=/nonexistent/password"},
                "--smtp_password_file: cannot read");
  std::ofstream(password_) << "secret\n";
  ExpectRefused({"--smtp_url=smtp://127.0.0.1:2525", "--mail_from=shop@example.com",
                 "--smtp_password_file=" + password_},
                "--smtp_password_file needs --smtp_username");
  // The environment sets them too.
  ExpectRefused({}, "--mail_from is required with --smtp_url",
                {{"BACKINSTOCK_SMTP_URL", "smtp://127.0.0.1:2525"}});
}

TEST_F(SmtpFlagsTest, AGoodRelayConfigurationStarts) {
  std::ofstream(password_) << "secret\n";
  ServerProcess::Options options;
  options.args = {
      "--keys_file=" + keys_,   "--smtp_url=smtp://127.0.0.1:2525",  "--mail_from=shop@example.com",
      "--smtp_username=mailer", "--smtp_password_file=" + password_, "--smtp_starttls=required"};
  auto server = ServerProcess::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
}

}  // namespace
}  // namespace backinstock::testing
