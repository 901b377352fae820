// The Maildir writer: tmp/new/cur made, each message in new/ whole with the
// delivery headers and LF line ends, nothing left in tmp/, unique names from
// many threads, and a clear temporary error when the directory is unusable.
#include "server/email/maildir_writer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "backinstock/errors/error.h"
#include "tests/support/maildir.h"
#include "tests/support/test_server.h"

namespace backinstock::email {
namespace {

using testing::ReadMaildir;
using testing::RemoveTree;
using testing::TempPath;

TEST(MaildirWriterTest, WritesWholeMessagesIntoNew) {
  const std::string dir = TempPath("maildir-unit");
  absl::StatusOr<std::unique_ptr<MailSender>> writer = OpenMaildir(dir);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::string message = "Message-ID: <r1@example.com>\r\nSubject: Back\r\n\r\nHello\r\n";
  ASSERT_TRUE((*writer)->Send("shop@example.com", "ann@example.com", message).ok());
  std::vector<testing::MaildirMessage> messages = ReadMaildir(dir);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].text,
            "Return-Path: <shop@example.com>\nDelivered-To: ann@example.com\n"
            "Message-ID: <r1@example.com>\nSubject: Back\n\nHello\n");
  EXPECT_EQ(messages[0].delivered_to, "ann@example.com");
  EXPECT_EQ(testing::MaildirTmpFiles(dir), 0u);
  std::ifstream cur(dir + "/cur");
  EXPECT_TRUE(cur.good()) << "cur/ exists for mail clients";
  RemoveTree(dir);
}

TEST(MaildirWriterTest, WritersOnManyThreadsNeverShareAName) {
  const std::string dir = TempPath("maildir-unit");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&dir] {
      absl::StatusOr<std::unique_ptr<MailSender>> writer = OpenMaildir(dir);
      ASSERT_TRUE(writer.ok());
      for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE((*writer)->Send("a@example.com", "b@example.com", "Subject: x\r\n\r\nx").ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<std::string> names;
  for (const auto& message : ReadMaildir(dir)) names.insert(message.file);
  EXPECT_EQ(names.size(), 200u);
  RemoveTree(dir);
}

TEST(MaildirWriterTest, AnUnusableDirectoryIsATemporaryError) {
  const std::string dir = TempPath("maildir-unit");
  absl::StatusOr<std::unique_ptr<MailSender>> writer = OpenMaildir(dir);
  ASSERT_TRUE(writer.ok());
  RemoveTree(dir + "/tmp");
  std::ofstream(dir + "/tmp") << "a file where tmp/ was";
  const absl::Status status = (*writer)->Send("a@example.com", "b@example.com", "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::ReasonOf(status), "SMTP_UNAVAILABLE");
  EXPECT_TRUE(ReadMaildir(dir).empty());
  // A path under a file cannot be made at all.
  EXPECT_FALSE(OpenMaildir(dir + "/tmp/inner").ok());
  RemoveTree(dir);
}

}  // namespace
}  // namespace backinstock::email
