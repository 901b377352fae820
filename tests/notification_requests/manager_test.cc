// The domain manager over the memory store: the report lifecycle with a fake
// notifier, and open counts checked against a full scan through a long random
// sequence of creates, deletes, marks and reports.
#include "server/domain/notification_requests/notification_request_manager.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "server/store/catalog_key.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::domain {
namespace {

using Request = v1::BackInStockNotificationRequest;

// Records every notification; fails those whose email starts with "fail".
class FakeNotifier : public notify::Notifier {
 public:
  absl::Status Notify(const notify::Notification& notification) override {
    if (before_send_) std::exchange(before_send_, nullptr)();
    absl::MutexLock lock(&mu_);
    sent_.push_back(notification.request.id());
    if (notification.request.email().rfind("fail", 0) == 0) {
      return absl::UnavailableError("mail server said no");
    }
    return absl::OkStatus();
  }
  std::vector<std::string> sent() {
    absl::MutexLock lock(&mu_);
    return sent_;
  }
  // Runs once, before the next notification is recorded.
  void BeforeNextSend(std::function<void()> action) { before_send_ = std::move(action); }

 private:
  absl::Mutex mu_;
  std::vector<std::string> sent_;
  std::function<void()> before_send_;
};

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest()
      : settings_(&settings_store_, {std::string(kWixStoresAppId)}),
        manager_(&store_, &settings_, &notifier_, *query::CursorCodec::WithRandomSecret(),
                 Options()) {
    settings_.SetCollecting("s", kWixStoresAppId, true).IgnoreError();
  }
  static NotificationRequestOptions Options() {
    NotificationRequestOptions options;
    options.max_requests_per_site = 1000;
    options.report_batch_size = 3;  // several batches in one report
    return options;
  }

  static v1::CatalogReference Reference(int item) {
    v1::CatalogReference reference;
    reference.set_catalog_item_id(absl::StrCat("item-", item));
    reference.set_app_id(std::string(kWixStoresAppId));
    return reference;
  }

  absl::StatusOr<Request> Create(int item, const std::string& email) {
    v1::CreateBackInStockNotificationRequestRequest create;
    *create.mutable_request()->mutable_catalog_reference() = Reference(item);
    create.mutable_request()->set_email(email);
    create.mutable_item_details()->set_name("Item");
    create.mutable_item_details()->set_price("1.00");
    return manager_.Create("s", create);
  }

  static v1::ReportItemsBackInStockRequest ReportOf(std::vector<std::string> ids) {
    v1::ReportItemsBackInStockRequest report;
    report.mutable_item_details()->set_name("Item");
    report.mutable_item_details()->set_price("1.00");
    for (auto& id : ids) report.add_request_ids(id);
    return report;
  }

  store::MemorySettingsStore settings_store_;
  SettingsManager settings_;
  store::MemoryNotificationRequestStore store_;
  FakeNotifier notifier_;
  NotificationRequestManager manager_;
};

TEST_F(ManagerTest, ReportSettlesEveryTargetOnceAndFailuresAreFailed) {
  std::vector<std::string> ids;
  for (const char* email : {"a@x.io", "fail@x.io", "b@x.io", "c@x.io", "fail2@x.io"}) {
    ids.push_back(Create(1, email)->id());
  }
  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Item");
  report.mutable_item_details()->set_price("1.00");
  *report.mutable_catalog_reference() = Reference(1);
  ASSERT_TRUE(manager_.Report("s", report).ok());
  EXPECT_EQ(notifier_.sent().size(), 5u);
  for (size_t i = 0; i < ids.size(); ++i) {
    Request request = *manager_.Get("s", ids[i]);
    EXPECT_EQ(request.status(), i == 1 || i == 4 ? Request::FAILED : Request::NOTIFICATION_SENT);
    EXPECT_TRUE(request.auto_notified().value());
  }
  // Nothing is sent twice, by reference or by id.
  ASSERT_TRUE(manager_.Report("s", report).ok());
  ASSERT_TRUE(manager_.Report("s", ReportOf(ids)).ok());
  EXPECT_EQ(notifier_.sent().size(), 5u);
}

TEST_F(ManagerTest, ARequestSettledElsewhereWhileItsBatchIsSentIsNotSent) {
  std::vector<std::string> ids;
  for (const char* email : {"a@x.io", "b@x.io", "c@x.io"}) ids.push_back(Create(1, email)->id());
  // The whole batch (3) is claimed before the first notification; meanwhile
  // the third is settled by someone else, as an etcd sweeper does when this
  // replica's claims were lost.
  notifier_.BeforeNextSend([&] {
    store::RecordPtr claimed = *store_.Get("s", ids[2]);
    ASSERT_EQ(claimed->request.status(), Request::PROCESSING);
    store::NotificationRequestRecord failed = *claimed;
    failed.revision = claimed->revision + 1;
    failed.request.set_status(Request::FAILED);
    failed.request.mutable_auto_notified()->set_value(true);
    ASSERT_TRUE(store_.CompareAndSwap("s", claimed->revision, failed).ok());
  });
  ASSERT_TRUE(manager_.Report("s", ReportOf(ids)).ok());
  EXPECT_EQ(notifier_.sent(), (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(manager_.Get("s", ids[2])->status(), Request::FAILED);
  EXPECT_EQ(manager_.Get("s", ids[1])->status(), Request::NOTIFICATION_SENT);
}

TEST_F(ManagerTest, CountsMatchAFullScanThroughRandomChanges) {
  std::mt19937 random(20260301);
  std::vector<std::string> ids;
  constexpr int kItems = 6;
  for (int step = 0; step < 3000; ++step) {
    const int action = static_cast<int>(random() % 10);
    if (action < 5 || ids.empty()) {
      const std::string email = absl::StrCat(random() % 5 == 0 ? "fail" : "", "c", random() % 12,
                                             "@x.io");
      absl::StatusOr<Request> created = Create(static_cast<int>(random() % kItems), email);
      if (created.ok()) {
        ids.push_back(created->id());
      } else {
        ASSERT_EQ(created.status().code(), absl::StatusCode::kAlreadyExists) << created.status();
      }
    } else {
      const std::string& id = ids[random() % ids.size()];
      if (action < 7) {
        ASSERT_TRUE(manager_.Delete("s", id).ok() ||
                    absl::IsNotFound(manager_.Delete("s", id)));
      } else if (action < 8) {
        manager_.MarkAsNotificationSent("s", id).IgnoreError();
      } else if (action < 9) {
        ASSERT_TRUE(manager_.Report("s", ReportOf({id, ids[random() % ids.size()]})).ok());
      } else {
        v1::ReportItemsBackInStockRequest report = ReportOf({});
        *report.mutable_catalog_reference() = Reference(static_cast<int>(random() % kItems));
        ASSERT_TRUE(manager_.Report("s", report).ok());
      }
    }
    if (step % 50 != 0) continue;
    // The full scan.
    absl::flat_hash_map<std::string, int64_t> scanned;
    const std::vector<store::RecordPtr> records = *store_.List("s");
    for (const store::RecordPtr& record : records) {
      if (store::IsOpen(record->request.status())) {
        ++scanned[store::CatalogKey(record->request.catalog_reference())];
      }
    }
    v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest count;
    for (int item = 0; item < kItems; ++item) *count.add_catalog_references() = Reference(item);
    auto counts = manager_.Count("s", count);
    ASSERT_TRUE(counts.ok());
    for (int item = 0; item < kItems; ++item) {
      EXPECT_EQ(counts->counts_per_catalog_reference(item).count(),
                scanned[store::CatalogKey(Reference(item))])
          << "item " << item << " at step " << step;
    }
  }
}

TEST_F(ManagerTest, CreateIsGatedByTheSettings) {
  settings_.SetCollecting("s", kWixStoresAppId, false).IgnoreError();
  absl::StatusOr<Request> refused = Create(1, "a@x.io");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(errors::ReasonOf(refused.status()), "REQUEST_COLLECTION_DISABLED");
}

}  // namespace
}  // namespace backinstock::domain
