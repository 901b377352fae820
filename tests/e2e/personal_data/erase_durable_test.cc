// EraseCustomerData with --data_dir: once it answers, no file under the data
// directory holds the address (as given, in lower or upper case, or in
// standard or URL-safe base64 of any of those), although the customer's
// requests were in a snapshot, in older segments and in the active one; the
// writes made while it ran are all kept; and a restart on the same directory
// has every other request and none of the erased ones.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/personal_data/customer_data_calls.h"
#include "tests/support/eventually.h"
#include "tests/support/maildir.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "pd-durable";
constexpr char kOtherSite[] = "pd-durable-other";
constexpr char kAddress[] = "Erase.Me-Now@Example.org";

// Every way the address's bytes could sit in a file that we look for.
std::vector<std::string> Needles(const std::string& address) {
  std::vector<std::string> needles;
  for (const std::string& form :
       {address, absl::AsciiStrToLower(address), absl::AsciiStrToUpper(address)}) {
    needles.push_back(form);
    needles.push_back(absl::Base64Escape(form));
    std::string url_safe;
    absl::WebSafeBase64Escape(form, &url_safe);  // unpadded
    needles.push_back(url_safe);
  }
  return needles;
}

// "<path>: <needle>" for every needle found in any regular file under `dir`.
std::vector<std::string> Findings(const std::string& dir, const std::vector<std::string>& needles) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream contents;
    contents << file.rdbuf();
    const std::string bytes = contents.str();
    for (const std::string& needle : needles) {
      if (bytes.find(needle) != std::string::npos) {
        found.push_back(absl::StrCat(entry.path().string(), ": ", needle));
      }
    }
  }
  return found;
}

class DurableEraseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_dir_ = TempPath("pd-data");
    mail_dir_ = TempPath("pd-mail");  // mail is the relay's, not the store's
    StartServer();
    ASSERT_TRUE(settings_->Set(As(kSite, "user"), true).ok());
    ASSERT_TRUE(settings_->Set(As(kOtherSite, "user"), true).ok());
  }
  void TearDown() override {
    StopServer();
    RemoveTree(data_dir_);
    if (!mail_dir_.empty()) RemoveTree(mail_dir_);
  }

  void StartServer() {
    runtime::ServerConfig config = TestConfig();
    config.data_dir = data_dir_;
    // Empty: the default, a Maildir under the data directory.
    config.mail_dir = mail_dir_;
    server_ = std::make_unique<TestServer>(std::move(config));
    settings_ = std::make_unique<SettingsCalls>(server_->channel());
    calls_ = std::make_unique<RequestCalls>(server_->channel());
    data_ = std::make_unique<CustomerDataCalls>(server_->channel());
  }
  void StopServer() {
    data_.reset();
    calls_.reset();
    settings_.reset();
    server_.reset();
  }

  std::string MustCreate(const std::string& site, const std::string& item,
                         const std::string& email) {
    auto created = calls_->Create(As(site, "visitor"), item, email);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  std::string data_dir_;
  std::string mail_dir_;
  std::unique_ptr<TestServer> server_;
  std::unique_ptr<SettingsCalls> settings_;
  std::unique_ptr<RequestCalls> calls_;
  std::unique_ptr<CustomerDataCalls> data_;
};

TEST_F(DurableEraseTest, NoFileHoldsTheAddressAfterEraseAndARestartKeepsEveryOtherRequest) {
  const Credentials owner = As(kSite, "user");
  std::vector<std::pair<std::string, std::string>> kept;  // (site, id)
  std::vector<std::string> erased;
  auto keep = [&](const std::string& site, const std::string& item, const std::string& email) {
    kept.emplace_back(site, MustCreate(site, item, email));
  };
  for (int i = 0; i < 20; ++i) {
    keep(kSite, absl::StrCat("item-", i), absl::StrCat("customer", i, "@example.org"));
    keep(kOtherSite, absl::StrCat("item-", i), absl::StrCat("other", i, "@example.org"));
  }
  // The customer's first requests: one settled, one deleted by hand (its
  // values stay in the journal until a purge), one open.
  erased.push_back(MustCreate(kSite, "mug", kAddress));
  ASSERT_TRUE(calls_->Mark(owner, erased.back()).ok());
  const std::string deleted_by_hand = MustCreate(kSite, "hat", absl::AsciiStrToLower(kAddress));
  ASSERT_TRUE(calls_->Delete(owner, deleted_by_hand).ok());
  erased.push_back(MustCreate(kSite, "cap", absl::AsciiStrToUpper(kAddress)));

  // Erasing someone else first folds the journal into a snapshot: the
  // customer's records are now in a snapshot; those below, in the new active
  // segment.
  keep(kSite, "scarf", "someone@example.org");
  auto other = data_->Erase(owner, "nobody-here@example.org");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->erased_count(), 0);
  erased.push_back(MustCreate(kSite, "scarf", kAddress));
  ASSERT_TRUE(calls_->Mark(owner, erased.back()).ok());
  erased.push_back(MustCreate(kSite, "belt", kAddress));
  ASSERT_THAT(Findings(data_dir_, Needles(kAddress)), ::testing::Not(::testing::IsEmpty()))
      << "the address should be on disk before the erase";

  // Writes of other customers go on while the erase runs; every one
  // acknowledged must survive.
  std::atomic<bool> erasing{true};
  std::vector<std::pair<std::string, std::string>> concurrent;
  std::thread writer([&] {
    RequestCalls calls(server_->channel());
    for (int i = 0; erasing.load() || i < 5; ++i) {
      auto created = calls.Create(As(kOtherSite, "visitor"), absl::StrCat("during-", i),
                                  absl::StrCat("during", i, "@example.org"));
      if (created.ok())
        concurrent.emplace_back(kOtherSite, created->id());
      else
        ADD_FAILURE() << created.status();
    }
  });
  auto result = data_->Erase(owner, "erase.me-now@example.ORG");
  erasing.store(false);
  writer.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->erased_count(), static_cast<int>(erased.size()));
  EXPECT_THAT(std::vector<std::string>(result->erased_request_ids().begin(),
                                       result->erased_request_ids().end()),
              ::testing::UnorderedElementsAreArray(erased));
  kept.insert(kept.end(), concurrent.begin(), concurrent.end());

  EXPECT_THAT(Findings(data_dir_, Needles(kAddress)), ::testing::IsEmpty());

  StopServer();
  EXPECT_THAT(Findings(data_dir_, Needles(kAddress)), ::testing::IsEmpty());
  StartServer();
  for (const auto& [site, id] : kept) {
    EXPECT_TRUE(calls_->Get(As(site, "user"), id).ok()) << site << " " << id;
  }
  for (const std::string& id : erased) {
    EXPECT_EQ(calls_->Get(owner, id).status().code(), absl::StatusCode::kNotFound) << id;
  }
  auto exported = data_->Export(owner, kAddress);
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->requests_size(), 0);
  // And the server still writes: the journal it reopened is whole.
  EXPECT_FALSE(MustCreate(kSite, "after-restart", "later@example.org").empty());
}

// Without --mail_dir the delivered emails are kept in <data_dir>/mail: the
// erase removes the customer's copies there too, and only theirs.
class DurableEraseDefaultMaildirTest : public DurableEraseTest {
 protected:
  void SetUp() override {
    data_dir_ = TempPath("pd-data");
    StartServer();
    ASSERT_TRUE(settings_->Set(As(kSite, "user"), true).ok());
  }
};

TEST_F(DurableEraseDefaultMaildirTest, EraseRemovesTheSentEmailsKeptUnderTheDataDirectory) {
  const Credentials owner = As(kSite, "user");
  std::vector<std::string> ids = {MustCreate(kSite, "mug", kAddress),
                                  MustCreate(kSite, "cap", absl::AsciiStrToLower(kAddress)),
                                  MustCreate(kSite, "mug", "keep.me@example.org")};
  ASSERT_TRUE(calls_->Report(owner, RequestCalls::ReportOf(ids)).ok());
  const std::string maildir = data_dir_ + "/mail";
  ASSERT_TRUE(Eventually([&] { return ReadMaildir(maildir).size() == ids.size(); }))
      << ReadMaildir(maildir).size() << " emails delivered";
  ASSERT_THAT(Findings(data_dir_, Needles(kAddress)), ::testing::Not(::testing::IsEmpty()));

  auto result = data_->Erase(owner, kAddress);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->erased_count(), 2);
  EXPECT_THAT(Findings(data_dir_, Needles(kAddress)), ::testing::IsEmpty());
  const std::vector<MaildirMessage> left = ReadMaildir(maildir);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].delivered_to, "keep.me@example.org");
}

}  // namespace
}  // namespace backinstock::testing
