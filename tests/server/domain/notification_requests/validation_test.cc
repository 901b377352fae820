// Validation of Create and Report input: each failure names its field.
#include "server/domain/notification_requests/validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "tests/support/query_test_util.h"

namespace backinstock::domain {
namespace {

std::string FieldOf(const absl::Status& status) {
  auto bad_request = errors::BadRequestOf(status);
  if (!bad_request || bad_request->field_violations_size() != 1) return "<no BadRequest>";
  return bad_request->field_violations(0).field();
}

v1::CreateBackInStockNotificationRequestRequest ValidCreate() {
  v1::CreateBackInStockNotificationRequestRequest create;
  auto* request = create.mutable_request();
  request->mutable_catalog_reference()->set_catalog_item_id("item-1");
  request->mutable_catalog_reference()->set_app_id("215238EB-22A5-4C36-9E7B-E7C08025E04E");
  request->set_email("Alice@Example.com");
  request->set_item_url("https://shop.example/item-1");
  create.mutable_item_details()->set_name("Blue shirt");
  create.mutable_item_details()->set_price("19.99");
  return create;
}

TEST(Validation, Emails) {
  for (const char* good : {"a@b.co", "Alice.Smith+tag@example.co.uk", "x!#$%&'*+/=?^_`{|}~-@a-b.io",
                           "\xc3\xa9l\xc3\xa8ve@\xc3\xa9"
                           "cole.fr"}) {
    EXPECT_TRUE(IsValidEmail(good)) << good;
  }
  for (const char* bad :
       {"", "plain", "@example.com", "a@", "a@localhost", "a b@example.com", "a@exa mple.com",
        ".a@example.com", "a.@example.com", "a..b@example.com", "a@-example.com", "a@example-.com",
        "a@example..com", "a\"b@example.com", "a@b@example.com"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
  EXPECT_FALSE(IsValidEmail(absl::StrCat(std::string(65, 'a'), "@example.com")));
  EXPECT_FALSE(IsValidEmail(absl::StrCat("a@", std::string(250, 'b'), ".com")));
}

TEST(Validation, HttpUrls) {
  for (const char* good : {"http://a", "https://shop.example/p?id=1#x", "HTTPS://EXAMPLE.COM",
                           "https://user@host:8443/path"}) {
    EXPECT_TRUE(IsHttpUrl(good)) << good;
  }
  for (const char* bad :
       {"", "ftp://example.com", "https://", "https:///path", "//example.com",
        "https://exa mple.com", "javascript:alert(1)", "https://:80/", "https://example.com/\n"}) {
    EXPECT_FALSE(IsHttpUrl(bad)) << bad;
  }
}

TEST(Validation, Prices) {
  for (const char* good : {"0", "19.99", "0.5", "1000000", "007.10"}) {
    EXPECT_TRUE(IsDecimalPrice(good)) << good;
  }
  for (const char* bad : {"", "-1", "+1", "1.", ".5", "1e3", "1,5", "abc", " 1", "1.2.3"}) {
    EXPECT_FALSE(IsDecimalPrice(bad)) << bad;
  }
}

TEST(Validation, ValidCreateIsNormalisedAndOutputFieldsDropped) {
  v1::CreateBackInStockNotificationRequestRequest create = ValidCreate();
  create.mutable_request()->set_id("chosen-by-caller");
  create.mutable_request()->set_status(v1::BackInStockNotificationRequest::FAILED);
  create.mutable_request()->set_contact_id("x");
  absl::StatusOr<v1::BackInStockNotificationRequest> request = ValidateCreate(create);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->catalog_reference().app_id(), "215238eb-22a5-4c36-9e7b-e7c08025e04e");
  EXPECT_EQ(request->email(), "Alice@Example.com");
  EXPECT_TRUE(request->id().empty());
  EXPECT_TRUE(request->contact_id().empty());
  EXPECT_EQ(request->status(), v1::BackInStockNotificationRequest::UNSPECIFIED);
}

struct Case {
  const char* what;
  std::function<void(v1::CreateBackInStockNotificationRequestRequest&)> change;
  const char* field;
  const char* reason;
};

TEST(Validation, EveryCreateFieldIsChecked) {
  const Case cases[] = {
      {"no request", [](auto& c) { c.clear_request(); }, "request", "INVALID_ARGUMENT"},
      {"no reference", [](auto& c) { c.mutable_request()->clear_catalog_reference(); },
       "request.catalog_reference", "INVALID_ARGUMENT"},
      {"no item id",
       [](auto& c) { c.mutable_request()->mutable_catalog_reference()->clear_catalog_item_id(); },
       "request.catalog_reference.catalog_item_id", "INVALID_ARGUMENT"},
      {"long item id",
       [](auto& c) {
         c.mutable_request()->mutable_catalog_reference()->set_catalog_item_id(
             std::string(37, 'x'));
       },
       "request.catalog_reference.catalog_item_id", "INVALID_ARGUMENT"},
      {"no app id",
       [](auto& c) { c.mutable_request()->mutable_catalog_reference()->clear_app_id(); },
       "request.catalog_reference.app_id", "INVALID_ARGUMENT"},
      {"bad app id",
       [](auto& c) { c.mutable_request()->mutable_catalog_reference()->set_app_id("stores"); },
       "request.catalog_reference.app_id", "INVALID_ARGUMENT"},
      {"huge options",
       [](auto& c) {
         *c.mutable_request()->mutable_catalog_reference()->mutable_options() =
             testing::JsonStruct(absl::StrCat(R"({"v": ")", std::string(3000, 'x'), R"("})"));
       },
       "request.catalog_reference.options", "INVALID_ARGUMENT"},
      {"no email", [](auto& c) { c.mutable_request()->clear_email(); }, "request.email",
       "INVALID_ARGUMENT"},
      {"bad email", [](auto& c) { c.mutable_request()->set_email("alice"); }, "request.email",
       "INVALID_ARGUMENT"},
      {"bad item url", [](auto& c) { c.mutable_request()->set_item_url("shop/item"); },
       "request.item_url", "INVALID_ARGUMENT"},
      {"no details", [](auto& c) { c.clear_item_details(); }, "item_details", "INVALID_ARGUMENT"},
      {"no name", [](auto& c) { c.mutable_item_details()->clear_name(); }, "item_details.name",
       "INVALID_ARGUMENT"},
      {"no price", [](auto& c) { c.mutable_item_details()->clear_price(); }, "item_details.price",
       "INVALID_ARGUMENT"},
      {"negative price", [](auto& c) { c.mutable_item_details()->set_price("-1"); },
       "item_details.price", "INVALID_ARGUMENT"},
      {"bad image url",
       [](auto& c) { c.mutable_item_details()->mutable_image()->set_url("file:///etc/passwd"); },
       "item_details.image.url", "INVALID_ITEM_IMAGE_URL"},
      {"image without url",
       [](auto& c) { c.mutable_item_details()->mutable_image()->set_width(5); },
       "item_details.image.url", "INVALID_ITEM_IMAGE_URL"},
      {"negative width",
       [](auto& c) {
         auto* image = c.mutable_item_details()->mutable_image();
         image->set_url("https://img.example/1.png");
         image->set_width(-1);
       },
       "item_details.image.width", "INVALID_ARGUMENT"},
  };
  for (const Case& c : cases) {
    v1::CreateBackInStockNotificationRequestRequest create = ValidCreate();
    c.change(create);
    absl::StatusOr<v1::BackInStockNotificationRequest> request = ValidateCreate(create);
    ASSERT_FALSE(request.ok()) << c.what;
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_EQ(FieldOf(request.status()), c.field) << c.what;
    EXPECT_EQ(errors::ReasonOf(request.status()), c.reason) << c.what;
  }
}

v1::ReportItemsBackInStockRequest ValidReport() {
  v1::ReportItemsBackInStockRequest report;
  report.mutable_item_details()->set_name("Blue shirt");
  report.mutable_item_details()->set_price("19.99");
  report.add_request_ids("6f1c2a4e-930b-4d57-a83e-51c97d20b416");
  return report;
}

TEST(Validation, Reports) {
  EXPECT_TRUE(ValidateReport(ValidReport()).ok());

  v1::ReportItemsBackInStockRequest both = ValidReport();
  both.mutable_catalog_reference()->set_catalog_item_id("item-1");
  absl::Status status = ValidateReport(both);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(status), "REQUEST_CONTAINS_BOTH_CATALOG_REFERENCE_AND_REQUEST_IDS");

  v1::ReportItemsBackInStockRequest neither = ValidReport();
  neither.clear_request_ids();
  EXPECT_EQ(ValidateReport(neither).code(), absl::StatusCode::kInvalidArgument);

  v1::ReportItemsBackInStockRequest too_many = ValidReport();
  for (int i = 0; i < 100; ++i) too_many.add_request_ids(absl::StrCat("id-", i));
  EXPECT_EQ(FieldOf(ValidateReport(too_many)), "request_ids");

  v1::ReportItemsBackInStockRequest bad_reference = ValidReport();
  bad_reference.clear_request_ids();
  bad_reference.mutable_catalog_reference()->set_catalog_item_id("item-1");
  bad_reference.mutable_catalog_reference()->set_app_id("nope");
  EXPECT_EQ(FieldOf(ValidateReport(bad_reference)), "catalog_reference.app_id");

  v1::ReportItemsBackInStockRequest no_price = ValidReport();
  no_price.mutable_item_details()->clear_price();
  EXPECT_EQ(FieldOf(ValidateReport(no_price)), "item_details.price");

  v1::ReportItemsBackInStockRequest empty_id = ValidReport();
  empty_id.add_request_ids("");
  EXPECT_EQ(FieldOf(ValidateReport(empty_id)), "request_ids[1]");

  v1::ReportItemsBackInStockRequest bad_parameter = ValidReport();
  (*bad_parameter.mutable_extra_automation_template_parameters())[""] = "x";
  EXPECT_EQ(FieldOf(ValidateReport(bad_parameter)), "extra_automation_template_parameters[]");
}

}  // namespace
}  // namespace backinstock::domain
