// The domain manager over the memory store: reports claiming requests with
// their emails queued on a fake scheduler, and open counts checked against a full scan through a
// long random sequence of creates, deletes, marks and reports.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/store/catalog_key.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/memory_settings_store.h"

namespace backinstock::domain {
namespace {

using Request = v1::BackInStockNotificationRequest;

// Records every email a report queues (the delivery queue has tests of its
// own).
class FakeScheduler : public delivery::Scheduler {
 public:
  void Schedule(const std::string& site, store::RecordPtr record) override {
    absl::MutexLock lock(&mu_);
    scheduled_.emplace_back(site, std::move(record));
  }
  std::vector<std::pair<std::string, store::RecordPtr>> scheduled() {
    absl::MutexLock lock(&mu_);
    return scheduled_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, store::RecordPtr>> scheduled_;
};

class ManagerTest : public ::testing::Test {
 protected:
  ManagerTest()
      : settings_(&settings_store_, {std::string(kWixStoresAppId)}),
        manager_(&store_, &settings_, &scheduler_, *query::CursorCodec::WithRandomSecret(),
                 Options()) {
    settings_.SetCollecting("s", kWixStoresAppId, true).IgnoreError();
  }
  static NotificationRequestOptions Options() {
    NotificationRequestOptions options;
    options.max_requests_per_site = 1000;
    options.clock = [] { return absl::FromUnixSeconds(1767225600); };
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
  FakeScheduler scheduler_;
  NotificationRequestManager manager_;
};

TEST_F(ManagerTest, ReportClaimsEveryTargetOnceWithItsEmailQueued) {
  std::vector<std::string> ids;
  for (const char* email : {"a@x.io", "b@x.io", "c@x.io"}) ids.push_back(Create(1, email)->id());
  const std::string other = Create(2, "a@x.io")->id();
  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Item");
  report.mutable_item_details()->set_price("1.00");
  (*report.mutable_extra_automation_template_parameters())["coupon"] = "SPRING";
  *report.mutable_catalog_reference() = Reference(1);
  ASSERT_TRUE(manager_.Report("s", report).ok());

  std::vector<std::pair<std::string, store::RecordPtr>> scheduled = scheduler_.scheduled();
  ASSERT_EQ(scheduled.size(), 3u);
  for (const auto& [site, record] : scheduled) {
    EXPECT_EQ(site, "s");
    // What was scheduled is what the store holds: PROCESSING, email queued.
    store::RecordPtr stored = *store_.Get("s", record->request.id());
    EXPECT_EQ(stored->revision, record->revision);
    EXPECT_EQ(stored->request.status(), Request::PROCESSING);
    ASSERT_NE(stored->delivery, nullptr);
    EXPECT_EQ(stored->delivery->item_details().name(), "Item");
    EXPECT_EQ(stored->delivery->template_parameters().at("coupon"), "SPRING");
    EXPECT_EQ(stored->delivery->state().attempts(), 0);
    EXPECT_EQ(stored->delivery->state().queued_time().seconds(), 1767225600);
  }
  EXPECT_EQ(manager_.Get("s", other)->status(), Request::RECEIVED);
  // Nothing is queued twice, by reference or by id; PROCESSING still counts.
  ASSERT_TRUE(manager_.Report("s", report).ok());
  ASSERT_TRUE(manager_.Report("s", ReportOf(ids)).ok());
  EXPECT_EQ(scheduler_.scheduled().size(), 3u);
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest count;
  *count.add_catalog_references() = Reference(1);
  EXPECT_EQ(manager_.Count("s", count)->counts_per_catalog_reference(0).count(), 3);
}

TEST_F(ManagerTest, MarkingAQueuedRequestSentKeepsItsEmailButChangesItsRevision) {
  const std::string id = Create(1, "a@x.io")->id();
  ASSERT_TRUE(manager_.Report("s", ReportOf({id})).ok());
  ASSERT_EQ(scheduler_.scheduled().size(), 1u);
  const int64_t queued_revision = scheduler_.scheduled()[0].second->revision;
  Request marked = *manager_.MarkAsNotificationSent("s", id);
  EXPECT_EQ(marked.status(), Request::NOTIFICATION_SENT);
  EXPECT_FALSE(marked.auto_notified().value());
  store::RecordPtr stored = *store_.Get("s", id);
  // The queue sees a newer revision than it queued and does not send.
  EXPECT_GT(stored->revision, queued_revision);
  EXPECT_NE(stored->delivery, nullptr);
}

TEST_F(ManagerTest, CountsMatchAFullScanThroughRandomChanges) {
  std::mt19937 random(20260301);
  std::vector<std::string> ids;
  constexpr int kItems = 6;
  for (int step = 0; step < 3000; ++step) {
    const int action = static_cast<int>(random() % 10);
    if (action < 5 || ids.empty()) {
      const std::string email =
          absl::StrCat(random() % 5 == 0 ? "fail" : "", "c", random() % 12, "@x.io");
      absl::StatusOr<Request> created = Create(static_cast<int>(random() % kItems), email);
      if (created.ok()) {
        ids.push_back(created->id());
      } else {
        ASSERT_EQ(created.status().code(), absl::StatusCode::kAlreadyExists) << created.status();
      }
    } else {
      const std::string& id = ids[random() % ids.size()];
      if (action < 7) {
        ASSERT_TRUE(manager_.Delete("s", id).ok() || absl::IsNotFound(manager_.Delete("s", id)));
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
    const std::vector<store::RecordPtr> records = **store_.List("s");
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
