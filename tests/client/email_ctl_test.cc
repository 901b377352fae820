// backinstockctl's email commands as a user runs them: a child process against
// a server in this process, with a token minted by `backinstockctl token`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "tests/client/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;

class EmailCtlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_path_ = TempPath("email-ctl-keys");
    std::ofstream(keys_path_) << TestKeysJson();
  }
  void TearDown() override { unlink(keys_path_.c_str()); }

  Completed Ctl(std::vector<std::string> args) {
    args.insert(args.begin(), BACKINSTOCKCTL_BINARY);
    return RunProgram(args, {{"BACKINSTOCK_TARGET", server_.address()}});
  }

  std::string Token(std::vector<std::string> args) {
    args.insert(args.begin(), "token");
    args.push_back("--keys_file=" + keys_path_);
    Completed minted = Ctl(args);
    EXPECT_EQ(minted.exit_code, 0) << minted.err;
    return std::string(absl::StripTrailingAsciiWhitespace(minted.out));
  }

  std::string keys_path_;
  TestServer server_;
};

TEST_F(EmailCtlTest, GetUpdatePreviewAndSend) {
  const std::string token = Token({"identity", "--site=ctl-email", "--role=user"});
  Completed got = Ctl({"get-email-template", "--token", token});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(nlohmann::json::parse(got.out)["template"]["revision"], "0");

  Completed updated = Ctl({"update-email-template", "--token", token, "--request",
                           R"({"template": {"senderName": "Ctl Shop", "subject": "{{item.name}}!"},
                               "updateMask": "senderName,subject", "expectedRevision": "0"})"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  const nlohmann::json template_json = nlohmann::json::parse(updated.out)["template"];
  EXPECT_EQ(template_json["senderName"], "Ctl Shop");
  EXPECT_EQ(template_json["revision"], "1");

  Completed conflict = Ctl({"update-email-template", "--token", token, "--request",
                            R"({"template": {"subject": "x"}, "updateMask": "subject",
                                "expectedRevision": "7"})"});
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_THAT(conflict.err, HasSubstr("reason: REVISION_MISMATCH"));

  TempDir dir("email-ctl-preview");
  const std::string html_path = dir / "preview.html";
  Completed preview = Ctl({"render-email-preview", "--token", token, "--html_out=" + html_path,
                           "--request", R"({"itemDetails": {"name": "Mug", "price": "12.50"}})"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  const nlohmann::json preview_json = nlohmann::json::parse(preview.out);
  EXPECT_EQ(preview_json["subject"], "Mug!");
  EXPECT_EQ(preview_json["html"], "") << "written to the file instead";
  EXPECT_THAT(preview_json["text"].get<std::string>(), HasSubstr("12.50"));
  EXPECT_THAT(ReadBytes(html_path), HasSubstr("Mug"));
  EXPECT_THAT(ReadBytes(html_path), HasSubstr("<html"));
  EXPECT_THAT(preview.err, HasSubstr(html_path));

  Completed sent = Ctl({"send-test-email", "me@example.com", "--token", token, "--request",
                        R"({"itemDetails": {"name": "Mug", "price": "12.50"}})"});
  EXPECT_EQ(sent.exit_code, 1);
  EXPECT_THAT(sent.err, HasSubstr("reason: SMTP_NOT_CONFIGURED"));
}

TEST_F(EmailCtlTest, AVisitorElevatedWithEmailManageMay) {
  const std::string visitor = Token({"identity", "--site=ctl-email-v", "--role=visitor"});
  Completed denied = Ctl({"get-email-template", "--token", visitor});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_THAT(denied.err, HasSubstr("reason: ELEVATION_REQUIRED"));
  EXPECT_THAT(denied.err, HasSubstr("ECOM.MANAGE_BACK_IN_STOCK_EMAIL"));
  const std::string elevation =
      Token({"elevation", "--site=ctl-email-v", "--perms=EMAIL_MANAGE", "--ttl=120s"});
  Completed allowed =
      Ctl({"get-email-template", "--token", visitor, "--elevation_token", elevation});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
}

}  // namespace
}  // namespace backinstock::testing
