// ReportItemsBackInStock over a real channel: the lifecycle, the emails
// delivered into the server's Maildir, nothing sent twice, a delivery that
// keeps failing, and the shape of the call.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "tests/support/eventually.h"
#include "tests/support/maildir.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "shop-1";

class ReportE2e : public ::testing::Test {
 protected:
  explicit ReportE2e(runtime::ServerConfig config = TestConfig())
      : server_(std::move(config)), settings_(server_.channel()), calls_(server_.channel()) {
    EXPECT_TRUE(settings_.Set(owner_, true).ok());
  }

  // Waits until request `id` has left PROCESSING; its final status.
  NotificationRequest::Status Settled(const std::string& id) {
    NotificationRequest::Status status = NotificationRequest::PROCESSING;
    EXPECT_TRUE(Eventually([&] {
      absl::StatusOr<NotificationRequest> request = calls_.Get(owner_, id);
      if (request.ok()) status = request->status();
      return request.ok() && status != NotificationRequest::PROCESSING;
    })) << "request "
        << id << " still PROCESSING";
    return status;
  }

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
  v1::ReportItemsBackInStockRequest report = RequestCalls::ReportOf(
      {created[0].id(), created[1].id(), "6f1c2a4e-930b-4d57-a83e-51c97d20b416"});
  (*report.mutable_extra_automation_template_parameters())["coupon"] = "SPRING";
  ASSERT_TRUE(calls_.Report(owner_, report).ok());

  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Settled(created[i].id()), NotificationRequest::NOTIFICATION_SENT);
    NotificationRequest request = *calls_.Get(owner_, created[i].id());
    ASSERT_TRUE(request.has_auto_notified());
    EXPECT_TRUE(request.auto_notified().value());
  }
  EXPECT_EQ(calls_.Get(owner_, created[2].id())->status(), NotificationRequest::RECEIVED);

  std::vector<MaildirMessage> emails = ReadMaildir(server_.mail_dir());
  ASSERT_EQ(emails.size(), 2u);
  std::set<std::string> recipients;
  for (const MaildirMessage& email : emails) {
    recipients.insert(email.delivered_to);
    EXPECT_NE(email.text.find("Blue shirt"), std::string::npos) << email.text;
    EXPECT_NE(email.text.find("19.99"), std::string::npos);
    // The Message-ID is the request's own.
    const std::string& id = email.delivered_to == "a@b.co" ? created[0].id() : created[1].id();
    EXPECT_EQ(email.message_id.find("<" + id + "@"), 0u) << email.message_id;
  }
  EXPECT_EQ(recipients, (std::set<std::string>{"a@b.co", "c@d.co"}));
  EXPECT_EQ(MaildirTmpFiles(server_.mail_dir()), 0u);

  // A second report of the same requests sends nothing.
  ASSERT_TRUE(calls_.Report(owner_, report).ok());
  EXPECT_EQ(calls_.Get(owner_, created[2].id())->status(), NotificationRequest::RECEIVED);
  EXPECT_EQ(ReadMaildir(server_.mail_dir()).size(), 2u);
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
  EXPECT_EQ(Settled(medium.id()), NotificationRequest::NOTIFICATION_SENT);
  EXPECT_EQ(calls_.Get(owner_, large.id())->status(), NotificationRequest::RECEIVED);
  // Marked by hand before: not sent again, still auto_notified = false.
  EXPECT_FALSE(calls_.Get(owner_, marked.id())->auto_notified().value());
  EXPECT_EQ(ReadMaildir(server_.mail_dir()).size(), 1u);
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
  EXPECT_TRUE(ReadMaildir(server_.mail_dir()).empty());
}

// A Maildir that cannot be written (its tmp/ is a file): every attempt fails
// for a reason that may pass, so the email is retried, then given up.
class FailingDeliveryE2e : public ReportE2e {
 protected:
  FailingDeliveryE2e() : ReportE2e(Config()) {}
  ~FailingDeliveryE2e() override { RemoveTree(mail_dir_); }
  static runtime::ServerConfig Config() {
    runtime::ServerConfig config = TestConfig();
    config.mail_dir = mail_dir_ = TempPath("broken-maildir");
    config.delivery_max_attempts = 3;
    config.delivery_retry_initial = absl::Milliseconds(10);
    config.delivery_retry_max = absl::Milliseconds(20);
    return config;
  }
  static std::string mail_dir_;
};
std::string FailingDeliveryE2e::mail_dir_;

TEST_F(FailingDeliveryE2e, ADeliveryThatKeepsFailingEndsFailedAfterItsAttempts) {
  // The server made the Maildir at startup; break it now.
  RemoveTree(mail_dir_ + "/tmp");
  std::ofstream(mail_dir_ + "/tmp") << "not a directory";
  NotificationRequest created = *calls_.Create(visitor_, "shirt", "a@b.co");
  ASSERT_TRUE(calls_.Report(owner_, RequestCalls::ReportOf({created.id()})).ok());
  EXPECT_EQ(Settled(created.id()), NotificationRequest::FAILED);
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
