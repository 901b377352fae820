// The JSON-lines notifier: what a line says, appending, and failure.
#include "server/notify/json_lines_notifier.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nlohmann/json.hpp"
#include "backinstock/errors/error.h"
#include "tests/query/query_test_util.h"
#include "tests/support/test_server.h"

namespace backinstock::notify {
namespace {

Notification Sample() {
  Notification notification;
  notification.site = "site-1";
  notification.request.set_id("r-1");
  notification.request.set_email("alice@example.com");
  notification.request.set_contact_id("c-1");
  notification.request.set_item_url("https://shop.example/1");
  auto* reference = notification.request.mutable_catalog_reference();
  reference->set_catalog_item_id("item-1");
  reference->set_app_id("215238eb-22a5-4c36-9e7b-e7c08025e04e");
  *reference->mutable_options() = testing::JsonStruct(R"({"size": "M"})");
  notification.item_details.set_name("Blue shirt");
  notification.item_details.set_price("19.99");
  notification.item_details.mutable_image()->set_url("https://img.example/1.png");
  notification.template_parameters["coupon"] = "SPRING";
  return notification;
}

TEST(JsonLinesNotifier, LineCarriesRecipientItemAndParameters) {
  const nlohmann::json line = nlohmann::json::parse(JsonLinesNotifier::Line(Sample()));
  EXPECT_EQ(line["site"], "site-1");
  EXPECT_EQ(line["requestId"], "r-1");
  EXPECT_EQ(line["recipient"]["email"], "alice@example.com");
  EXPECT_EQ(line["recipient"]["contactId"], "c-1");
  EXPECT_EQ(line["item"]["name"], "Blue shirt");
  EXPECT_EQ(line["item"]["price"], "19.99");
  EXPECT_EQ(line["item"]["image"]["url"], "https://img.example/1.png");
  EXPECT_EQ(line["item"]["itemUrl"], "https://shop.example/1");
  EXPECT_EQ(line["item"]["catalogReference"]["catalogItemId"], "item-1");
  EXPECT_EQ(line["item"]["catalogReference"]["options"]["size"], "M");
  EXPECT_EQ(line["templateParameters"]["coupon"], "SPRING");
}

TEST(JsonLinesNotifier, AppendsOneLinePerNotification) {
  const std::string path = testing::TempPath("outbox");
  {
    auto notifier = JsonLinesNotifier::Open(path);
    ASSERT_TRUE(notifier.ok());
    ASSERT_TRUE((*notifier)->Notify(Sample()).ok());
  }
  {
    auto notifier = JsonLinesNotifier::Open(path);
    ASSERT_TRUE((*notifier)->Notify(Sample()).ok());
  }
  std::ifstream in(path);
  std::string text;
  int lines = 0;
  while (std::getline(in, text)) {
    EXPECT_EQ(nlohmann::json::parse(text)["requestId"], "r-1");
    ++lines;
  }
  EXPECT_EQ(lines, 2);
  std::remove(path.c_str());
}

TEST(JsonLinesNotifier, AFullDiskIsAnError) {
  auto notifier = JsonLinesNotifier::Open("/dev/full");
  ASSERT_TRUE(notifier.ok());
  absl::Status sent = (*notifier)->Notify(Sample());
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(errors::ReasonOf(sent), "NOTIFIER_FAILED");
}

TEST(JsonLinesNotifier, AnUnwritableOutboxIsRefusedAtStart) {
  EXPECT_FALSE(JsonLinesNotifier::Open("/nonexistent-dir/outbox").ok());
}

}  // namespace
}  // namespace backinstock::notify
