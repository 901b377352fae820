// EraseCustomerData and ExportCustomerData over a real channel: exactly the
// customer's requests of the caller's site (any case of the address, any
// status, never another site's or another customer's), a DELETED event per
// erased request, validation, and who may call them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "tests/e2e/personal_data/customer_data_calls.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

using ::testing::UnorderedElementsAreArray;
using Event = v1::WatchNotificationRequestEventsResponse;

constexpr char kSite[] = "pd-shop";
constexpr char kOtherSite[] = "pd-other-shop";
constexpr char kRequestsRead[] = "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS";
constexpr char kRequestsModify[] = "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS";

class CustomerDataE2e : public ::testing::Test {
 protected:
  CustomerDataE2e()
      : settings_(server_.channel()), calls_(server_.channel()), data_(server_.channel()) {
    EXPECT_TRUE(settings_.Set(owner_, true).ok());
    EXPECT_TRUE(settings_.Set(As(kOtherSite, "user"), true).ok());
  }

  std::string MustCreate(const std::string& site, const std::string& item,
                         const std::string& email) {
    auto created = calls_.Create(As(site, "visitor"), item, email);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  // Ann's requests on kSite in three spellings and two statuses; Bob's on
  // kSite; Ann's on the other site. Returns Ann's ids on kSite.
  std::vector<std::string> Populate() {
    std::vector<std::string> ann;
    ann.push_back(MustCreate(kSite, "mug", "Ann.Lee@Example.com"));
    ann.push_back(MustCreate(kSite, "hat", "ann.lee@example.com"));
    ann.push_back(MustCreate(kSite, "cap", "ANN.LEE@EXAMPLE.COM"));
    EXPECT_TRUE(calls_.Mark(owner_, ann[1]).ok());  // settled: still hers
    bob_ = MustCreate(kSite, "mug", "bob@example.com");
    // Not Ann: a longer address that contains hers.
    near_ = MustCreate(kSite, "mug", "xann.lee@example.com");
    other_site_ann_ = MustCreate(kOtherSite, "mug", "ann.lee@example.com");
    return ann;
  }

  static std::vector<std::string> Ids(const v1::ExportCustomerDataResponse& exported) {
    std::vector<std::string> ids;
    for (const auto& request : exported.requests()) ids.push_back(request.id());
    return ids;
  }

  const Credentials owner_ = As(kSite, "user");
  TestServer server_;
  SettingsCalls settings_;
  RequestCalls calls_;
  CustomerDataCalls data_;
  std::string bob_;
  std::string near_;
  std::string other_site_ann_;
};

TEST_F(CustomerDataE2e, ExportReturnsExactlyTheCustomersRequestsOfTheCallersSite) {
  const std::vector<std::string> ann = Populate();
  auto exported = data_.Export(owner_, "aNN.lEE@example.COM");
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_THAT(Ids(*exported), UnorderedElementsAreArray(ann));
  // Full records, as Get gives them, oldest first.
  ASSERT_EQ(exported->requests_size(), 3);
  for (int i = 0; i < exported->requests_size(); ++i) {
    auto got = calls_.Get(owner_, exported->requests(i).id());
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(exported->requests(i).SerializeAsString(), got->SerializeAsString());
  }
  EXPECT_EQ(exported->requests(1).status(), NotificationRequest::NOTIFICATION_SENT);

  // The other site sees only its own.
  auto other = data_.Export(As(kOtherSite, "user"), "ann.lee@example.com");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_THAT(Ids(*other), UnorderedElementsAreArray({other_site_ann_}));

  auto nobody = data_.Export(owner_, "nobody@example.com");
  ASSERT_TRUE(nobody.ok()) << nobody.status();
  EXPECT_EQ(nobody->requests_size(), 0);
}

TEST_F(CustomerDataE2e, EraseDeletesEveryRequestOfTheCustomerWithAnEventEach) {
  const std::vector<std::string> ann = Populate();
  RequestEventsWatch watch(calls_.stub(), owner_);

  auto erased = data_.Erase(owner_, "ann.lee@EXAMPLE.com");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->erased_count(), 3);
  EXPECT_THAT(std::vector<std::string>(erased->erased_request_ids().begin(),
                                       erased->erased_request_ids().end()),
              UnorderedElementsAreArray(ann));

  std::set<std::string> deleted;
  while (deleted.size() < ann.size()) {
    std::optional<Event> event = watch.Next();
    ASSERT_TRUE(event.has_value()) << "the stream ended after " << deleted.size() << " events";
    EXPECT_EQ(event->type(), Event::DELETED) << event->request_id();
    deleted.insert(event->request_id());
  }
  EXPECT_EQ(deleted, std::set<std::string>(ann.begin(), ann.end()));

  for (const std::string& id : ann) {
    EXPECT_EQ(calls_.Get(owner_, id).status().code(), absl::StatusCode::kNotFound) << id;
  }
  for (const std::string& id : {bob_, near_}) EXPECT_TRUE(calls_.Get(owner_, id).ok()) << id;
  EXPECT_TRUE(calls_.Get(As(kOtherSite, "user"), other_site_ann_).ok());

  // Nothing left: a second erase finds nothing, the export is empty.
  auto again = data_.Erase(owner_, "ann.lee@example.com");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->erased_count(), 0);
  EXPECT_EQ(again->erased_request_ids_size(), 0);
  auto exported = data_.Export(owner_, "ann.lee@example.com");
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->requests_size(), 0);
  // A new request of hers after the erase is accepted as any other.
  EXPECT_FALSE(MustCreate(kSite, "mug", "ann.lee@example.com").empty());
}

TEST_F(CustomerDataE2e, AMissingOrMalformedEmailIsInvalidAndNeverEchoed) {
  MustCreate(kSite, "mug", "ann@example.com");
  for (const std::string& email : {std::string(""), std::string("not an address"),
                                   std::string("ann@"), std::string(300, 'a') + "@example.com"}) {
    for (const absl::Status& status :
         {data_.Erase(owner_, email).status(), data_.Export(owner_, email).status()}) {
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << email << ": " << status;
      EXPECT_EQ(BadFieldOf(status), "email") << email;
      if (!email.empty()) {
        EXPECT_EQ(std::string(status.message()).find(email), std::string::npos) << status;
      }
    }
  }
  // Nothing was erased.
  auto exported = data_.Export(owner_, "ann@example.com");
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(exported->requests_size(), 1);
}

TEST_F(CustomerDataE2e, VisitorsAndMembersNeedElevationForTheRightPermission) {
  const std::string id = MustCreate(kSite, "mug", "ann@example.com");
  for (const char* role : {"visitor", "member"}) {
    const Credentials who = As(kSite, role);
    for (const absl::Status& status : {data_.Erase(who, "ann@example.com").status(),
                                       data_.Export(who, "ann@example.com").status()}) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << role << ": " << status;
      EXPECT_EQ(errors::ReasonOf(status), "ELEVATION_REQUIRED") << role;
    }
  }
  EXPECT_TRUE(calls_.Get(owner_, id).ok()) << "a refused erase deleted the request";

  // Read does not grant erase; modify does not grant export.
  const Credentials reader = Elevated(kSite, "visitor", kSite, {kRequestsRead});
  const Credentials modifier = Elevated(kSite, "visitor", kSite, {kRequestsModify});
  EXPECT_EQ(errors::ReasonOf(data_.Erase(reader, "ann@example.com").status()),
            "ELEVATION_INSUFFICIENT");
  EXPECT_EQ(errors::ReasonOf(data_.Export(modifier, "ann@example.com").status()),
            "ELEVATION_INSUFFICIENT");
  // Elevation for another site grants nothing here.
  const Credentials elsewhere = Elevated(kSite, "visitor", kOtherSite, {kRequestsModify});
  EXPECT_EQ(errors::ReasonOf(data_.Erase(elsewhere, "ann@example.com").status()),
            "ELEVATION_SITE_MISMATCH");

  auto exported = data_.Export(reader, "ann@example.com");
  ASSERT_TRUE(exported.ok()) << exported.status();
  EXPECT_EQ(exported->requests_size(), 1);
  auto erased = data_.Erase(modifier, "ann@example.com");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->erased_count(), 1);
  EXPECT_EQ(calls_.Get(owner_, id).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace backinstock::testing
