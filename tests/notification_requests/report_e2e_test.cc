// ReportItemsBackInStock over a real channel: the lifecycle, the outbox lines,
// nothing sent twice, a failing notifier, and the shape of the call.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "nlohmann/json.hpp"
#include "tests/notification_requests/calls.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "shop-1";

std::vector<nlohmann::json> OutboxLines(const std::string& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

class ReportE2e : public ::testing::Test {
 protected:
  explicit ReportE2e(const std::string& outbox = TempPath("outbox"))
      : outbox_(outbox), server_(Config(outbox)), settings_(server_.channel()),
        calls_(server_.channel()) {
    EXPECT_TRUE(settings_.Set(owner_, true).ok());
  }
  ~ReportE2e() override {
    if (outbox_ != "/dev/full") std::remove(outbox_.c_str());
  }
  static runtime::ServerConfig Config(const std::string& outbox) {
    runtime::ServerConfig config = TestConfig();
    config.notification_outbox = outbox;
    return config;
  }

  const std::string outbox_;
  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
  TestServer server_;
  SettingsCalls settings_;
  RequestCalls calls_;
};

TEST_F(ReportE2e, TargetedRequestsAreNotifiedOnceAndEndSentAutomatically) {
  std::vector<NotificationRequest> created;
  for (const char* email : {"a@b.co", "c@d.co", "e@f.co"}) {
    created.push_back(*calls_.Create(visitor_, "shirt", email));
  }
  v1::ReportItemsBackInStockRequest report =
      RequestCalls::ReportOf({created[0].id(), created[1].id(), "6f1c2a4e-930b-4d57-a83e-51c97d20b416"});
  (*report.mutable_extra_automation_template_parameters())["coupon"] = "SPRING";
  ASSERT_TRUE(calls_.Report(owner_, report).ok());

  for (int i = 0; i < 2; ++i) {
    NotificationRequest request = *calls_.Get(owner_, created[i].id());
    EXPECT_EQ(request.status(), NotificationRequest::NOTIFICATION_SENT);
    ASSERT_TRUE(request.has_auto_notified());
    EXPECT_TRUE(request.auto_notified().value());
  }
  EXPECT_EQ(calls_.Get(owner_, created[2].id())->status(), NotificationRequest::RECEIVED);

  std::vector<nlohmann::json> lines = OutboxLines(outbox_);
  ASSERT_EQ(lines.size(), 2u);
  std::set<std::string> recipients;
  for (const auto& line : lines) {
    recipients.insert(line["recipient"]["email"].get<std::string>());
    EXPECT_EQ(line["site"], kSite);
    EXPECT_EQ(line["item"]["name"], "Blue shirt");
    EXPECT_EQ(line["item"]["price"], "19.99");
    EXPECT_EQ(line["item"]["image"]["url"], "https://img.example/shirt.png");
    EXPECT_EQ(line["item"]["catalogReference"]["catalogItemId"], "shirt");
    EXPECT_EQ(line["templateParameters"]["coupon"], "SPRING");
  }
  EXPECT_EQ(recipients, (std::set<std::string>{"a@b.co", "c@d.co"}));

  // A second report of the same requests sends nothing.
  ASSERT_TRUE(calls_.Report(owner_, report).ok());
  EXPECT_EQ(OutboxLines(outbox_).size(), 2u);
  EXPECT_EQ(*calls_.Count(owner_, {RequestCalls::Reference("shirt")}), std::vector<int>{1});
}

TEST_F(ReportE2e, ByCatalogReferenceTargetsThatReferenceOnly) {
  NotificationRequest medium = *calls_.Create(visitor_, "shirt", "a@b.co", R"({"size": "M"})");
  NotificationRequest large = *calls_.Create(visitor_, "shirt", "a@b.co", R"({"size": "L"})");
  NotificationRequest marked = *calls_.Create(visitor_, "shirt", "c@d.co", R"({"size": "M"})");
  ASSERT_TRUE(calls_.Mark(owner_, marked.id()).ok());

  v1::ReportItemsBackInStockRequest report = RequestCalls::ReportOf({});
  *report.mutable_catalog_reference() = RequestCalls::Reference("shirt", R"({"size": "M"})");
  ASSERT_TRUE(calls_.Report(owner_, report).ok());
  EXPECT_EQ(calls_.Get(owner_, medium.id())->status(), NotificationRequest::NOTIFICATION_SENT);
  EXPECT_EQ(calls_.Get(owner_, large.id())->status(), NotificationRequest::RECEIVED);
  // Marked by hand before: not sent again, still auto_notified = false.
  EXPECT_FALSE(calls_.Get(owner_, marked.id())->auto_notified().value());
  EXPECT_EQ(OutboxLines(outbox_).size(), 1u);
  EXPECT_EQ(*calls_.Count(owner_, {RequestCalls::Reference("shirt", R"({"size": "M"})"),
                                   RequestCalls::Reference("shirt", R"({"size": "L"})")}),
            (std::vector<int>{0, 1}));
}

TEST_F(ReportE2e, TheShapeOfTheCallIsChecked) {
  NotificationRequest created = *calls_.Create(visitor_, "shirt", "a@b.co");
  v1::ReportItemsBackInStockRequest both = RequestCalls::ReportOf({created.id()});
  *both.mutable_catalog_reference() = RequestCalls::Reference("shirt");
  absl::Status status = calls_.Report(owner_, both);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(status), "REQUEST_CONTAINS_BOTH_CATALOG_REFERENCE_AND_REQUEST_IDS");

  std::vector<std::string> ids(101, created.id());
  EXPECT_EQ(BadFieldOf(calls_.Report(owner_, RequestCalls::ReportOf(ids))), "request_ids");
  v1::ReportItemsBackInStockRequest neither = RequestCalls::ReportOf({});
  EXPECT_EQ(calls_.Report(owner_, neither).code(), absl::StatusCode::kInvalidArgument);
  v1::ReportItemsBackInStockRequest no_details = RequestCalls::ReportOf({created.id()});
  no_details.clear_item_details();
  EXPECT_EQ(BadFieldOf(calls_.Report(owner_, no_details)), "item_details");

  // None of that touched the request.
  EXPECT_EQ(calls_.Get(owner_, created.id())->status(), NotificationRequest::RECEIVED);
  EXPECT_TRUE(OutboxLines(outbox_).empty());
}

class FailingNotifierE2e : public ReportE2e {
 protected:
  FailingNotifierE2e() : ReportE2e("/dev/full") {}
};

TEST_F(FailingNotifierE2e, AFailedNotificationLeavesTheRequestFailed) {
  NotificationRequest created = *calls_.Create(visitor_, "shirt", "a@b.co");
  ASSERT_TRUE(calls_.Report(owner_, RequestCalls::ReportOf({created.id()})).ok());
  NotificationRequest failed = *calls_.Get(owner_, created.id());
  EXPECT_EQ(failed.status(), NotificationRequest::FAILED);
  EXPECT_TRUE(failed.auto_notified().value());
  // Not open any more: not counted, not reported again, and the customer may
  // ask anew.
  EXPECT_EQ(*calls_.Count(owner_, {RequestCalls::Reference("shirt")}), std::vector<int>{0});
  ASSERT_TRUE(calls_.Report(owner_, RequestCalls::ReportOf({created.id()})).ok());
  EXPECT_EQ(calls_.Get(owner_, created.id())->status(), NotificationRequest::FAILED);
  EXPECT_TRUE(calls_.Create(visitor_, "shirt", "a@b.co").ok());
}

}  // namespace
}  // namespace backinstock::testing
