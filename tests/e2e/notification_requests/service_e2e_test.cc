// The behaviour notification_requests.proto documents, over a real channel: create, get, delete,
// mark, count, with every failure's exact code and reason; who may call what.
#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "server/domain/guid.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

constexpr char kSite[] = "shop-1";

class RequestsE2e : public ::testing::Test {
 protected:
  explicit RequestsE2e(runtime::ServerConfig config = Config())
      : server_(std::move(config)), settings_(server_.channel()), calls_(server_.channel()) {
    EXPECT_TRUE(settings_.Set(As(kSite, "user"), true).ok());
  }
  static runtime::ServerConfig Config() {
    runtime::ServerConfig config = TestConfig();
    return config;
  }

  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
  TestServer server_;
  SettingsCalls settings_;
  RequestCalls calls_;
};

void ExpectError(const absl::Status& status, absl::StatusCode code, const std::string& reason,
                 const std::string& what = "") {
  EXPECT_EQ(status.code(), code) << what << ": " << status;
  EXPECT_EQ(errors::ReasonOf(status), reason) << what << ": " << status;
}

TEST_F(RequestsE2e, CreateSetsTheOutputFieldsAndGetReturnsTheRequest) {
  v1::CreateBackInStockNotificationRequestRequest create =
      RequestCalls::NewRequest("item-1", "Alice@Example.com", R"({"size": "M"})");
  create.mutable_request()->mutable_catalog_reference()->set_app_id(
      "215238EB-22A5-4C36-9E7B-E7C08025E04E");
  create.mutable_request()->set_id("caller-chosen");                  // output only: ignored
  create.mutable_request()->set_status(NotificationRequest::FAILED);  // output only: ignored
  const absl::Time before = absl::Now();
  absl::StatusOr<NotificationRequest> created = calls_.Create(visitor_, create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(domain::NormalizeGuid(created->id()), created->id());
  EXPECT_EQ(created->id()[14], '4');
  EXPECT_EQ(created->status(), NotificationRequest::RECEIVED);
  EXPECT_FALSE(created->has_auto_notified());
  EXPECT_EQ(created->email(), "Alice@Example.com");
  EXPECT_EQ(created->catalog_reference().app_id(), kStoresApp);
  EXPECT_EQ(created->catalog_reference().options().fields().at("size").string_value(), "M");
  EXPECT_EQ(created->contact_id(), domain::NormalizeGuid(created->contact_id()).value_or("x"));
  EXPECT_GE(created->created_date().seconds(), absl::ToUnixSeconds(before));

  absl::StatusOr<NotificationRequest> got = calls_.Get(owner_, created->id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), created->SerializeAsString());

  // The same customer has the same contact id on every request of the site.
  absl::StatusOr<NotificationRequest> other =
      calls_.Create(visitor_, "item-2", "alice@EXAMPLE.com");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->contact_id(), created->contact_id());
  EXPECT_NE(calls_.Create(visitor_, "item-2", "bob@example.com")->contact_id(),
            created->contact_id());
}

TEST_F(RequestsE2e, CreateWhileTheAppDoesNotCollectIsRefused) {
  ExpectError(calls_.Create(As("quiet-shop", "visitor"), "item-1", "a@b.co").status(),
              absl::StatusCode::kFailedPrecondition, "REQUEST_COLLECTION_DISABLED");
  ASSERT_TRUE(settings_.Set(owner_, false).ok());
  ExpectError(calls_.Create(visitor_, "item-1", "a@b.co").status(),
              absl::StatusCode::kFailedPrecondition, "REQUEST_COLLECTION_DISABLED");
  // A well-formed app that is not supported does not collect either.
  v1::CreateBackInStockNotificationRequestRequest create = RequestCalls::NewRequest("i", "a@b.co");
  create.mutable_request()->mutable_catalog_reference()->set_app_id(
      "00000000-0000-0000-0000-000000000001");
  ASSERT_TRUE(settings_.Set(owner_, true).ok());
  ExpectError(calls_.Create(visitor_, create).status(), absl::StatusCode::kFailedPrecondition,
              "REQUEST_COLLECTION_DISABLED");
}

TEST_F(RequestsE2e, InvalidCreatesNameTheirField) {
  using Create = v1::CreateBackInStockNotificationRequestRequest;
  const std::pair<std::function<void(Create&)>, std::pair<const char*, const char*>> cases[] = {
      {[](Create& c) { c.mutable_request()->mutable_catalog_reference()->clear_catalog_item_id(); },
       {"request.catalog_reference.catalog_item_id", "INVALID_ARGUMENT"}},
      {[](Create& c) {
         c.mutable_request()->mutable_catalog_reference()->set_catalog_item_id(
             std::string(37, 'x'));
       },
       {"request.catalog_reference.catalog_item_id", "INVALID_ARGUMENT"}},
      {[](Create& c) { c.mutable_request()->mutable_catalog_reference()->set_app_id("wix"); },
       {"request.catalog_reference.app_id", "INVALID_ARGUMENT"}},
      {[](Create& c) { c.mutable_request()->set_email("not-an-email"); },
       {"request.email", "INVALID_ARGUMENT"}},
      {[](Create& c) { c.mutable_request()->set_item_url("ftp://shop.example/1"); },
       {"request.item_url", "INVALID_ARGUMENT"}},
      {[](Create& c) { c.mutable_item_details()->clear_name(); },
       {"item_details.name", "INVALID_ARGUMENT"}},
      {[](Create& c) { c.mutable_item_details()->set_price("ten"); },
       {"item_details.price", "INVALID_ARGUMENT"}},
      {[](Create& c) { c.mutable_item_details()->mutable_image()->set_url("data:image/png,x"); },
       {"item_details.image.url", "INVALID_ITEM_IMAGE_URL"}},
  };
  for (const auto& [change, expected] : cases) {
    Create create = RequestCalls::NewRequest("item-1", "a@b.co");
    change(create);
    absl::Status status = calls_.Create(visitor_, create).status();
    ExpectError(status, absl::StatusCode::kInvalidArgument, expected.second, expected.first);
    EXPECT_EQ(BadFieldOf(status), expected.first);
  }
}

TEST_F(RequestsE2e, HugeHostileValuesGetShortErrors) {
  // 500 KB values: the reply must still be a clear INVALID_ARGUMENT / NOT_FOUND
  // with its reason, not a transport error from oversized trailers.
  const std::string huge(500 << 10, 'h');
  using Create = v1::CreateBackInStockNotificationRequestRequest;
  const std::vector<std::function<void(Create&)>> changes = {
      [&](Create& c) { c.mutable_request()->set_email(huge); },
      [&](Create& c) { c.mutable_request()->set_item_url(huge); },
      [&](Create& c) { c.mutable_request()->mutable_catalog_reference()->set_app_id(huge); },
      [&](Create& c) { c.mutable_item_details()->set_price(huge); },
      [&](Create& c) { c.mutable_item_details()->mutable_image()->set_url(huge); },
  };
  for (const auto& change : changes) {
    Create create = RequestCalls::NewRequest("item-1", "a@b.co");
    change(create);
    absl::Status status = calls_.Create(visitor_, create).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status.code();
    EXPECT_FALSE(errors::ReasonOf(status).empty());
    EXPECT_LT(status.message().size(), 1024u);
  }
  absl::Status missing = calls_.Get(owner_, huge).status();
  ExpectError(missing, absl::StatusCode::kNotFound, "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND");
  EXPECT_LT(missing.message().size(), 1024u);
}

TEST_F(RequestsE2e, OneOpenRequestPerItemAndEmail) {
  absl::StatusOr<NotificationRequest> first =
      calls_.Create(visitor_, "item-1", "alice@example.com", R"({"size": "M", "colour": "red"})");
  ASSERT_TRUE(first.ok());
  absl::Status duplicate =
      calls_.Create(visitor_, "item-1", "ALICE@example.com", R"({"colour": "red", "size": "M"})")
          .status();
  ExpectError(duplicate, absl::StatusCode::kAlreadyExists,
              "BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS");
  EXPECT_EQ(MetadataOf(duplicate, "id"), first->id());
  // Other options are another item.
  EXPECT_TRUE(calls_.Create(visitor_, "item-1", "alice@example.com", R"({"size": "L"})").ok());
  EXPECT_TRUE(calls_.Create(visitor_, "item-1", "alice@example.com").ok());
  // Once notified, the customer may ask again.
  ASSERT_TRUE(calls_.Mark(owner_, first->id()).ok());
  EXPECT_TRUE(
      calls_.Create(visitor_, "item-1", "alice@example.com", R"({"size": "M", "colour": "red"})")
          .ok());
}

TEST_F(RequestsE2e, UnknownIds) {
  const std::string unknown = "6f1c2a4e-930b-4d57-a83e-51c97d20b416";
  for (const std::string& id : {unknown, std::string("not-a-uuid")}) {
    ExpectError(calls_.Get(owner_, id).status(), absl::StatusCode::kNotFound,
                "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND", id);
    ExpectError(calls_.Delete(owner_, id), absl::StatusCode::kNotFound,
                "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND", id);
    ExpectError(calls_.Mark(owner_, id).status(), absl::StatusCode::kFailedPrecondition,
                "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND", id);
  }
  absl::Status empty = calls_.Get(owner_, "").status();
  ExpectError(empty, absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
  EXPECT_EQ(BadFieldOf(empty), "id");
}

TEST_F(RequestsE2e, DeleteAndMark) {
  absl::StatusOr<NotificationRequest> created = calls_.Create(visitor_, "item-1", "a@b.co");
  ASSERT_TRUE(created.ok());
  absl::StatusOr<NotificationRequest> marked = calls_.Mark(owner_, created->id());
  ASSERT_TRUE(marked.ok()) << marked.status();
  EXPECT_EQ(marked->status(), NotificationRequest::NOTIFICATION_SENT);
  ASSERT_TRUE(marked->has_auto_notified());
  EXPECT_FALSE(marked->auto_notified().value());
  EXPECT_EQ(calls_.Get(owner_, created->id())->status(), NotificationRequest::NOTIFICATION_SENT);
  EXPECT_TRUE(calls_.Mark(owner_, created->id()).ok());  // idempotent

  // Ids are accepted in any case.
  std::string upper = created->id();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(calls_.Delete(owner_, upper).ok());
  ExpectError(calls_.Get(owner_, created->id()).status(), absl::StatusCode::kNotFound,
              "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND");
  ExpectError(calls_.Delete(owner_, created->id()), absl::StatusCode::kNotFound,
              "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND");
}

class CappedRequestsE2e : public RequestsE2e {
 protected:
  CappedRequestsE2e() : RequestsE2e(Capped()) {}
  static runtime::ServerConfig Capped() {
    runtime::ServerConfig config = Config();
    config.max_requests_per_site = 2;
    return config;
  }
};

TEST_F(CappedRequestsE2e, PerSiteCapIsResourceExhausted) {
  absl::StatusOr<NotificationRequest> first = calls_.Create(visitor_, "item-1", "a@b.co");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(calls_.Create(visitor_, "item-2", "a@b.co").ok());
  absl::Status full = calls_.Create(visitor_, "item-3", "a@b.co").status();
  ExpectError(full, absl::StatusCode::kResourceExhausted, "SITE_REQUEST_LIMIT_REACHED");
  EXPECT_EQ(MetadataOf(full, "limit"), "2");
  // Another site has its own room; deleting makes room here.
  ASSERT_TRUE(settings_.Set(As("shop-2", "user"), true).ok());
  EXPECT_TRUE(calls_.Create(As("shop-2", "visitor"), "item-3", "a@b.co").ok());
  ASSERT_TRUE(calls_.Delete(owner_, first->id()).ok());
  EXPECT_TRUE(calls_.Create(visitor_, "item-3", "a@b.co").ok());
}

TEST_F(RequestsE2e, VisitorsAndMembersCreateButDoNotReadOrModify) {
  absl::StatusOr<NotificationRequest> created =
      calls_.Create(As(kSite, "member"), "item-1", "a@b.co");
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE(calls_.Create(visitor_, "item-2", "a@b.co").ok());
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest count_request;
  *count_request.add_catalog_references() = RequestCalls::Reference("item-1");
  for (const char* role : {"visitor", "member"}) {
    const Credentials who = As(kSite, role);
    struct Denied {
      absl::Status status;
      const char* permission;
    };
    const Denied denied[] = {
        {calls_.Get(who, created->id()).status(), "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS"},
        {calls_.Query(who, v1::PlatformQuery()).status(),
         "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS"},
        {calls_.Count(who, {RequestCalls::Reference("item-1")}).status(),
         "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS"},
        {calls_.Delete(who, created->id()), "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS"},
        {calls_.Mark(who, created->id()).status(),
         "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS"},
        {calls_.Report(who, RequestCalls::ReportOf({created->id()})),
         "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS"},
    };
    for (const Denied& d : denied) {
      ExpectError(d.status, absl::StatusCode::kPermissionDenied, "ELEVATION_REQUIRED", role);
      EXPECT_EQ(MetadataOf(d.status, "permission"), d.permission);
    }
  }
  // Denied calls had no effect.
  absl::StatusOr<NotificationRequest> unchanged = calls_.Get(owner_, created->id());
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->status(), NotificationRequest::RECEIVED);
  // Owners and apps hold every permission.
  EXPECT_TRUE(calls_.Get(As(kSite, "app"), created->id()).ok());
  EXPECT_TRUE(calls_.Count(As(kSite, "app"), {RequestCalls::Reference("item-1")}).ok());
}

TEST_F(RequestsE2e, ElevationGrantsExactlyItsPermissions) {
  absl::StatusOr<NotificationRequest> created = calls_.Create(visitor_, "item-1", "a@b.co");
  ASSERT_TRUE(created.ok());
  const Credentials reader =
      Elevated(kSite, "visitor", kSite, {"ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS"});
  EXPECT_TRUE(calls_.Get(reader, created->id()).ok());
  EXPECT_TRUE(calls_.Query(reader, v1::PlatformQuery()).ok());
  ExpectError(calls_.Delete(reader, created->id()), absl::StatusCode::kPermissionDenied,
              "ELEVATION_INSUFFICIENT");
  const Credentials modifier =
      Elevated(kSite, "member", kSite, {"ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS"});
  EXPECT_TRUE(calls_.Mark(modifier, created->id()).ok());
  ExpectError(calls_
                  .Get(Elevated(kSite, "visitor", "shop-2",
                                {"ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS"}),
                       created->id())
                  .status(),
              absl::StatusCode::kPermissionDenied, "ELEVATION_SITE_MISMATCH");
  EXPECT_TRUE(calls_.Delete(modifier, created->id()).ok());
}

TEST_F(RequestsE2e, CallsWithoutATokenAreUnauthenticated) {
  grpc::ClientContext context;
  v1::CreateBackInStockNotificationRequestResponse response;
  grpc::Status status = calls_.stub().CreateBackInStockNotificationRequest(
      &context, RequestCalls::NewRequest("item-1", "a@b.co"), &response);
  ExpectError(errors::FromGrpcStatus(status), absl::StatusCode::kUnauthenticated, "TOKEN_MISSING");
}

TEST_F(RequestsE2e, SitesAreIsolated) {
  absl::StatusOr<NotificationRequest> created = calls_.Create(visitor_, "item-1", "a@b.co");
  ASSERT_TRUE(created.ok());
  const Credentials stranger = As("shop-2", "user");
  ExpectError(calls_.Get(stranger, created->id()).status(), absl::StatusCode::kNotFound,
              "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND");
  ExpectError(calls_.Delete(stranger, created->id()), absl::StatusCode::kNotFound,
              "BACK_IN_STOCK_NOTIFICATION_REQUEST_NOT_FOUND");
  EXPECT_EQ(calls_.Query(stranger, v1::PlatformQuery())->requests_size(), 0);
  EXPECT_EQ(*calls_.Count(stranger, {RequestCalls::Reference("item-1")}), std::vector<int>{0});
  EXPECT_TRUE(calls_.Get(owner_, created->id()).ok());
}

TEST_F(RequestsE2e, CountsOpenRequestsPerReferenceInTheOrderGiven) {
  std::vector<NotificationRequest> m;
  for (const char* email : {"a@b.co", "c@d.co", "e@f.co"}) {
    m.push_back(*calls_.Create(visitor_, "shirt", email, R"({"size": "M"})"));
  }
  ASSERT_TRUE(calls_.Create(visitor_, "shirt", "a@b.co", R"({"size": "L"})").ok());
  ASSERT_TRUE(calls_.Create(visitor_, "shirt", "a@b.co").ok());
  ASSERT_TRUE(calls_.Mark(owner_, m[0].id()).ok());
  ASSERT_TRUE(calls_.Delete(owner_, m[1].id()).ok());
  const std::vector<v1::CatalogReference> references = {
      RequestCalls::Reference("shirt", R"({"size": "M"})"),
      RequestCalls::Reference("shirt", R"({"size": "L"})"), RequestCalls::Reference("shirt"),
      RequestCalls::Reference("hat")};
  EXPECT_EQ(*calls_.Count(owner_, references), (std::vector<int>{1, 1, 1, 0}));

  absl::Status none = calls_.Count(owner_, {}).status();
  ExpectError(none, absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
  EXPECT_EQ(BadFieldOf(none), "catalog_references");
  std::vector<v1::CatalogReference> too_many(101, RequestCalls::Reference("hat"));
  EXPECT_EQ(calls_.Count(owner_, too_many).status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<v1::CatalogReference> bad = {RequestCalls::Reference("hat"),
                                           RequestCalls::Reference("")};
  EXPECT_EQ(BadFieldOf(calls_.Count(owner_, bad).status()),
            "catalog_references[1].catalog_item_id");
}

}  // namespace
}  // namespace backinstock::testing
