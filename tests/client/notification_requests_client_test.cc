// NotificationRequestsClient against the real service in process: every RPC
// and the errors the service names.
#include "backinstock/client/notification_requests_client.h"

#include <gtest/gtest.h>

#include "backinstock/client/error.h"
#include "backinstock/client/settings_client.h"
#include "server/auth/permissions.h"
#include "tests/client/client_test_util.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

using client::NotificationRequestsClient;
using Status = v1::BackInStockNotificationRequest;

constexpr char kStores[] = "215238eb-22a5-4c36-9e7b-e7c08025e04e";

v1::CatalogReference Reference(const std::string& item) {
  v1::CatalogReference reference;
  reference.set_catalog_item_id(item);
  reference.set_app_id(kStores);
  return reference;
}

v1::BackInStockNotificationRequest NewRequest(const std::string& item, const std::string& email) {
  v1::BackInStockNotificationRequest request;
  *request.mutable_catalog_reference() = Reference(item);
  request.set_email(email);
  return request;
}

v1::BackInStockItemDetails Mug() {
  v1::BackInStockItemDetails details;
  details.set_name("Mug");
  details.set_price("12.50");
  return details;
}

class NotificationRequestsClientTest : public ::testing::Test {
 protected:
  NotificationRequestsClient Client(const std::string& site, const std::string& role) {
    return NotificationRequestsClient(client::MakeNotificationRequestsConnection(
        OptionsFor(server_.address(), IdentityToken(site, role))));
  }

  // Turns collecting on for the Wix Stores app on `site`.
  void Collect(const std::string& site) {
    client::SettingsClient settings(
        client::MakeSettingsConnection(OptionsFor(server_.address(), IdentityToken(site, "user"))));
    ASSERT_TRUE(settings.StartCollectingRequests(kStores).ok());
  }

  v1::BackInStockNotificationRequest Create(const std::string& site, const std::string& item,
                                            const std::string& email) {
    auto created = Client(site, "visitor")
                       .CreateBackInStockNotificationRequest(NewRequest(item, email), Mug());
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->request() : v1::BackInStockNotificationRequest();
  }

  TestServer server_;
};

TEST_F(NotificationRequestsClientTest, CreateGetDelete) {
  Collect("crud");
  const auto created = Create("crud", "item-1", "jane@example.com");
  EXPECT_FALSE(created.id().empty());
  EXPECT_FALSE(created.contact_id().empty());
  EXPECT_EQ(created.status(), Status::RECEIVED);
  EXPECT_TRUE(created.has_created_date());

  NotificationRequestsClient owner = Client("crud", "user");
  auto got = owner.GetBackInStockNotificationRequest(created.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->request().SerializeAsString(), created.SerializeAsString());

  ASSERT_TRUE(owner.DeleteBackInStockNotificationRequest(created.id()).ok());
  EXPECT_EQ(owner.GetBackInStockNotificationRequest(created.id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(owner.DeleteBackInStockNotificationRequest(created.id()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(NotificationRequestsClientTest, CreateErrorsCarryTheirReasons) {
  EXPECT_THAT(
      Client("closed", "visitor")
          .CreateBackInStockNotificationRequest(NewRequest("item-1", "a@example.com"), Mug()),
      FailsWith(absl::StatusCode::kFailedPrecondition, "REQUEST_COLLECTION_DISABLED"));

  Collect("dup");
  const auto first = Create("dup", "item-1", "a@example.com");
  auto again =
      Client("dup", "visitor")
          .CreateBackInStockNotificationRequest(NewRequest("item-1", "a@example.com"), Mug());
  EXPECT_THAT(again, FailsWith(absl::StatusCode::kAlreadyExists,
                               "BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS"));
  EXPECT_EQ(client::ErrorInfo(again.status())->metadata().at("id"), first.id());

  auto invalid =
      Client("dup", "visitor")
          .CreateBackInStockNotificationRequest(NewRequest("item-1", "not-an-email"), Mug());
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(client::BadRequest(invalid.status()).has_value());
}

TEST_F(NotificationRequestsClientTest, MarkAsNotificationSentWithElevation) {
  Collect("mark");
  const auto created = Create("mark", "item-1", "joe@example.com");
  NotificationRequestsClient member = Client("mark", "member");
  EXPECT_THAT(member.MarkAsNotificationSent(created.id()),
              FailsWith(absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED"));

  client::CallOptions elevated;
  elevated.elevation_token = ElevationToken("mark", {std::string(auth::kRequestsModify)});
  auto marked = member.MarkAsNotificationSent(created.id(), elevated);
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(marked->request().status(), Status::NOTIFICATION_SENT);
  ASSERT_TRUE(marked->request().has_auto_notified());
  EXPECT_FALSE(marked->request().auto_notified().value());

  EXPECT_THAT(member.MarkAsNotificationSent("no-such-id", elevated),
              FailsWith(absl::StatusCode::kFailedPrecondition,
                        "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND"));
}

TEST_F(NotificationRequestsClientTest, QueryPagesWithCursors) {
  Collect("query");
  for (int i = 0; i < 3; ++i) Create("query", "item-" + std::to_string(i), "q@example.com");
  NotificationRequestsClient owner = Client("query", "user");

  v1::PlatformQuery query;
  query.mutable_cursor_paging()->set_limit(2);
  auto first = owner.QueryBackInStockNotificationRequests(query);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->requests_size(), 2);
  ASSERT_FALSE(first->metadata().cursors().next().empty());

  v1::PlatformQuery next;
  next.mutable_cursor_paging()->set_cursor(first->metadata().cursors().next());
  auto second = owner.QueryBackInStockNotificationRequests(next);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->requests_size(), 1);
  EXPECT_TRUE(second->metadata().cursors().next().empty());

  v1::PlatformQuery unknown_field;
  (*unknown_field.mutable_filter()->mutable_fields())["email"].set_string_value("q@example.com");
  EXPECT_EQ(owner.QueryBackInStockNotificationRequests(unknown_field).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(NotificationRequestsClientTest, CountAndReport) {
  Collect("report");
  const auto a = Create("report", "item-a", "a@example.com");
  Create("report", "item-a", "b@example.com");
  NotificationRequestsClient owner = Client("report", "user");

  auto counts = owner.GetBackInStockNotificationRequestsCountByCatalogReferences(
      {Reference("item-a"), Reference("item-b")});
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->counts_per_catalog_reference_size(), 2);
  EXPECT_EQ(counts->counts_per_catalog_reference(0).count(), 2);
  EXPECT_EQ(counts->counts_per_catalog_reference(1).count(), 0);

  v1::ReportItemsBackInStockRequest both;
  *both.mutable_item_details() = Mug();
  *both.mutable_catalog_reference() = Reference("item-a");
  both.add_request_ids(a.id());
  EXPECT_THAT(owner.ReportItemsBackInStock(both),
              FailsWith(absl::StatusCode::kInvalidArgument,
                        "REQUEST_CONTAINS_BOTH_CATALOG_REFERENCE_AND_REQUEST_IDS"));

  v1::ReportItemsBackInStockRequest report;
  *report.mutable_item_details() = Mug();
  report.add_request_ids(a.id());
  auto reported = owner.ReportItemsBackInStock(report);
  ASSERT_TRUE(reported.ok()) << reported.status();
  // Handed to the notifier: no longer waiting.
  auto after = owner.GetBackInStockNotificationRequest(a.id());
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(after->request().status(), Status::RECEIVED);
}

TEST_F(NotificationRequestsClientTest, WatchDeliversEventsAfterItStarted) {
  Collect("watch");
  NotificationRequestsClient owner = Client("watch", "user");
  auto stream = owner.WatchNotificationRequestEvents();
  stream->WaitUntilStarted();

  const auto created = Create("watch", "item-1", "w@example.com");
  ASSERT_TRUE(owner.DeleteBackInStockNotificationRequest(created.id()).ok());

  v1::WatchNotificationRequestEventsResponse event;
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), v1::WatchNotificationRequestEventsResponse::CREATED);
  EXPECT_EQ(event.request_id(), created.id());
  EXPECT_EQ(event.request().email(), "w@example.com");
  ASSERT_TRUE(stream->Read(&event));
  EXPECT_EQ(event.type(), v1::WatchNotificationRequestEventsResponse::DELETED);
  EXPECT_EQ(event.request_id(), created.id());
  EXPECT_FALSE(event.has_request());

  stream->Cancel();
  while (stream->Read(&event)) {
  }
  EXPECT_EQ(stream->Finish().code(), absl::StatusCode::kCancelled);
}

TEST_F(NotificationRequestsClientTest, ExportAndEraseCustomerData) {
  Collect("pd");
  const auto mug = Create("pd", "item-1", "Kim@Example.com");
  const auto hat = Create("pd", "item-2", "kim@example.com");
  const auto other = Create("pd", "item-1", "lee@example.com");
  NotificationRequestsClient member = Client("pd", "member");
  EXPECT_THAT(member.EraseCustomerData("kim@example.com"),
              FailsWith(absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED"));
  EXPECT_THAT(member.ExportCustomerData("kim@example.com"),
              FailsWith(absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED"));

  client::CallOptions read;
  read.elevation_token = ElevationToken("pd", {std::string(auth::kRequestsRead)});
  auto exported = member.ExportCustomerData("KIM@example.com", read);
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->requests_size(), 2);
  EXPECT_EQ(exported->requests(0).id(), mug.id());
  EXPECT_EQ(exported->requests(1).id(), hat.id());

  NotificationRequestsClient owner = Client("pd", "user");
  auto invalid = owner.EraseCustomerData("kim");
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(client::BadRequest(invalid.status()).has_value());
  auto erased = owner.EraseCustomerData("kim@example.com");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->erased_count(), 2);
  EXPECT_EQ(owner.GetBackInStockNotificationRequest(mug.id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(owner.GetBackInStockNotificationRequest(other.id()).ok());
}

}  // namespace
}  // namespace backinstock::testing
