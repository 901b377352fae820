// The three store backends a contract test runs against, each opening a
// fresh store of either kind: memory, durable (a journal in a directory of
// its own) and etcd (a single-member cluster shared by the whole test
// program, so tests must use sites of their own: see UniqueSite).
#ifndef BACKINSTOCK_TESTS_SERVER_STORE_STORE_BACKENDS_H_
#define BACKINSTOCK_TESTS_SERVER_STORE_STORE_BACKENDS_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "server/store/email_template_store.h"
#include "server/store/etcd/etcd_backend.h"
#include "server/store/notification_request_store.h"
#include "server/store/settings_store.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {

// A site named after the running test (and `suffix`), in the characters a
// site may hold: typed suites are named "Suite/0", which becomes "Suite-0".
std::string UniqueSite(absl::string_view suffix = "");

// Each backend says how many writers race on one site and how many writes
// each makes, for what its writes cost (nothing, an fsync, a round trip).
struct MemoryBackend {
  static constexpr int kRaceThreads = 8;
  static constexpr int kRaceWrites = 500;
  std::unique_ptr<store::SettingsStore> OpenSettings();
  std::unique_ptr<store::EmailTemplateStore> OpenEmailTemplates();
  std::unique_ptr<store::NotificationRequestStore> OpenRequests();
};

struct DurableBackend {
  static constexpr int kRaceThreads = 4;
  static constexpr int kRaceWrites = 25;
  std::unique_ptr<store::SettingsStore> OpenSettings();
  std::unique_ptr<store::EmailTemplateStore> OpenEmailTemplates();
  std::unique_ptr<store::NotificationRequestStore> OpenRequests();

  std::unique_ptr<TempDir> dir = std::make_unique<TempDir>("store-contract");
};

// Its stores must be destroyed before it.
struct EtcdBackendHolder {
  static constexpr int kRaceThreads = 4;
  static constexpr int kRaceWrites = 5;
  std::unique_ptr<store::SettingsStore> OpenSettings();
  std::unique_ptr<store::EmailTemplateStore> OpenEmailTemplates();
  std::unique_ptr<store::NotificationRequestStore> OpenRequests();

  // Opened on first use, on the shared cluster; null when that failed.
  store::etcd::EtcdBackend* Backend();
  std::unique_ptr<store::etcd::EtcdBackend> backend;
};

// An email template record with `subject` (sender "Acme"), and the check that
// two records agree on revision, subject and sender: shared by the contract
// suite and the backend-specific template store tests.
inline store::EmailTemplateRecord TemplateRecord(int64_t revision, const std::string& subject) {
  store::EmailTemplateRecord record;
  record.revision = revision;
  record.email_template.set_subject(subject);
  record.email_template.set_sender_name("Acme");
  return record;
}

inline void ExpectSameTemplate(const store::EmailTemplateRecord& actual,
                               const store::EmailTemplateRecord& expected) {
  EXPECT_EQ(actual.revision, expected.revision);
  EXPECT_EQ(actual.email_template.subject(), expected.email_template.subject());
  EXPECT_EQ(actual.email_template.sender_name(), expected.email_template.sender_name());
}

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SERVER_STORE_STORE_BACKENDS_H_
