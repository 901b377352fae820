// QueryBackInStockNotificationRequests over a real channel: paging through
// 1,000 requests, filters and sorts, and cursors that cannot be forged or
// reused with another query.
#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "tests/support/eventually.h"
#include "tests/support/request_calls.h"

namespace backinstock::testing {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kSite[] = "shop-1";

v1::PlatformQuery MakeQuery(const std::string& filter_json,
                            std::vector<std::pair<std::string, v1::SortOrder>> sort = {},
                            int limit = 0, const std::string& cursor = "") {
  v1::PlatformQuery query;
  if (!filter_json.empty()) *query.mutable_filter() = JsonStruct(filter_json);
  for (const auto& [field, order] : sort) {
    v1::Sorting* sorting = query.add_sort();
    sorting->set_field_name(field);
    sorting->set_order(order);
  }
  query.mutable_cursor_paging()->set_limit(limit);
  query.mutable_cursor_paging()->set_cursor(cursor);
  return query;
}

std::vector<std::string> IdsOf(const v1::QueryBackInStockNotificationRequestsResponse& page) {
  std::vector<std::string> ids;
  for (const auto& request : page.requests()) ids.push_back(request.id());
  return ids;
}

// Pages (cursor alone after the first) until cursors.next is empty.
std::vector<std::string> PageThrough(RequestCalls& calls, const Credentials& who,
                                     const v1::PlatformQuery& first, int* pages) {
  std::vector<std::string> ids;
  *pages = 0;
  v1::PlatformQuery query = first;
  for (;;) {
    absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> page = calls.Query(who, query);
    if (!page.ok()) {
      ADD_FAILURE() << page.status();
      return ids;
    }
    ++*pages;
    EXPECT_EQ(page->metadata().count(), page->requests_size());
    EXPECT_EQ(page->metadata().cursors().prev().empty(), *pages == 1);
    for (const auto& id : IdsOf(*page)) ids.push_back(id);
    if (page->metadata().cursors().next().empty()) return ids;
    query = MakeQuery("", {}, first.cursor_paging().limit(), page->metadata().cursors().next());
  }
}

class QueryE2e : public ::testing::Test {
 protected:
  QueryE2e() : settings_(server_.channel()), calls_(server_.channel()) {
    EXPECT_TRUE(settings_.Set(owner_, true).ok());
  }
  // Creates `n` requests; returns them in creation order.
  std::vector<NotificationRequest> CreateMany(int n) {
    std::vector<NotificationRequest> created;
    for (int i = 0; i < n; ++i) {
      auto request = RequestCalls::NewRequest(absl::StrCat("item-", i % 13),
                                              absl::StrCat("customer-", i, "@example.com"));
      if (i % 4 == 0) request.mutable_request()->clear_item_url();
      absl::StatusOr<NotificationRequest> one = calls_.Create(visitor_, request);
      EXPECT_TRUE(one.ok()) << one.status();
      if (one.ok()) created.push_back(*std::move(one));
    }
    return created;
  }
  static std::vector<std::string> SortedIds(std::vector<NotificationRequest> requests,
                                            bool newest_first) {
    std::sort(requests.begin(), requests.end(), [&](const auto& a, const auto& b) {
      const int64_t ta = TimeUtil::TimestampToNanoseconds(a.created_date());
      const int64_t tb = TimeUtil::TimestampToNanoseconds(b.created_date());
      if (ta != tb) return newest_first ? ta > tb : ta < tb;
      return a.id() < b.id();
    });
    std::vector<std::string> ids;
    for (const auto& r : requests) ids.push_back(r.id());
    return ids;
  }

  const Credentials owner_ = As(kSite, "user");
  const Credentials visitor_ = As(kSite, "visitor");
  TestServer server_{QuietConfig()};
  SettingsCalls settings_;
  RequestCalls calls_;
};

TEST_F(QueryE2e, PagingThroughAThousandRequestsInPagesOfSevenReturnsEachOnceInOrder) {
  std::vector<NotificationRequest> created = CreateMany(1000);
  ASSERT_EQ(created.size(), 1000u);
  int pages = 0;
  EXPECT_EQ(PageThrough(calls_, owner_, MakeQuery("", {}, 7), &pages), SortedIds(created, false));
  EXPECT_EQ(pages, 143);  // 142 full pages and one of 6

  // Newest first, over the RECEIVED ones only (every tenth is marked sent).
  std::vector<NotificationRequest> received;
  for (size_t i = 0; i < created.size(); ++i) {
    if (i % 10 == 0) {
      ASSERT_TRUE(calls_.Mark(owner_, created[i].id()).ok());
    } else {
      received.push_back(created[i]);
    }
  }
  EXPECT_EQ(
      PageThrough(calls_, owner_,
                  MakeQuery(R"({"status": "RECEIVED"})", {{"createdDate", v1::DESC}}, 7), &pages),
      SortedIds(received, true));
  EXPECT_EQ(pages, 129);  // 900 / 7, rounded up
}

TEST_F(QueryE2e, DefaultPageIsFiftyAndPrevLeadsBack) {
  std::vector<NotificationRequest> created = CreateMany(60);
  const std::vector<std::string> all = SortedIds(created, false);
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> first =
      calls_.Query(owner_, v1::PlatformQuery());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(IdsOf(*first), std::vector<std::string>(all.begin(), all.begin() + 50));
  EXPECT_TRUE(first->metadata().cursors().prev().empty());
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> second =
      calls_.Query(owner_, MakeQuery("", {}, 0, first->metadata().cursors().next()));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(IdsOf(*second), std::vector<std::string>(all.begin() + 50, all.end()));
  EXPECT_TRUE(second->metadata().cursors().next().empty());
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> back =
      calls_.Query(owner_, MakeQuery("", {}, 0, second->metadata().cursors().prev()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(IdsOf(*back), IdsOf(*first));
}

TEST_F(QueryE2e, FiltersOnEveryFieldAndCombinations) {
  std::vector<NotificationRequest> created = CreateMany(40);
  ASSERT_TRUE(calls_.Mark(owner_, created[3].id()).ok());
  ASSERT_TRUE(calls_.Report(owner_, RequestCalls::ReportOf({created[5].id()})).ok());
  // The report's email goes out in the background.
  ASSERT_TRUE(Eventually([&] {
    auto request = calls_.Get(owner_, created[5].id());
    return request.ok() && request->status() == NotificationRequest::NOTIFICATION_SENT;
  }));
  auto count = [&](const std::string& filter) {
    absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> page =
        calls_.Query(owner_, MakeQuery(filter, {}, 100));
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status();
    return page.ok() ? page->requests_size() : -1;
  };
  const std::string third = TimeUtil::ToString(created[2].created_date());
  const std::string tenth = TimeUtil::ToString(created[9].created_date());
  EXPECT_EQ(count(absl::StrCat(R"({"id": ")", created[7].id(), R"("})")), 1);
  EXPECT_EQ(count(absl::StrCat(R"({"contactId": ")", created[7].contact_id(), R"("})")), 1);
  EXPECT_EQ(count(R"({"status": "NOTIFICATION_SENT"})"), 2);
  EXPECT_EQ(count(R"({"status": {"$ne": "RECEIVED"}})"), 2);
  EXPECT_EQ(count(R"({"autoNotified": true})"), 1);
  EXPECT_EQ(count(R"({"autoNotified": false})"), 1);
  EXPECT_EQ(count(R"({"autoNotified": {"$exists": false}})"), 38);
  EXPECT_EQ(count(absl::StrCat(R"({"createdDate": {"$gte": ")", third, R"(", "$lt": ")", tenth,
                               R"("}})")),
            7);
  EXPECT_EQ(count(R"({"itemUrl": {"$exists": false}})"), 10);
  EXPECT_EQ(count(R"({"itemUrl": {"$startsWith": "https://shop.example/items/item-1"}})"),
            // items 1, 10, 11, 12 of every 13, minus those created without a URL
            static_cast<int>(std::count_if(created.begin(), created.end(), [](const auto& r) {
              return r.item_url().rfind("https://shop.example/items/item-1", 0) == 0;
            })));
  EXPECT_EQ(count(absl::StrCat(R"({"$or": [{"id": ")", created[0].id(), R"("}, {"id": {"$in": [")",
                               created[1].id(), R"(", ")", created[2].id(), R"("]}}]})")),
            3);
  EXPECT_EQ(count(R"({"$not": {"status": "RECEIVED"}, "autoNotified": true})"), 1);
  EXPECT_EQ(count(R"({"$and": [{"itemUrl": {"$exists": true}}, {"status": "RECEIVED"}]})"), 28);
}

TEST_F(QueryE2e, SortsBothWaysWithTiesBrokenById) {
  std::vector<NotificationRequest> created = CreateMany(20);
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> asc =
      calls_.Query(owner_, MakeQuery("", {{"itemUrl", v1::ASC}}, 100));
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> desc =
      calls_.Query(owner_, MakeQuery("", {{"itemUrl", v1::DESC}}, 100));
  ASSERT_TRUE(asc.ok() && desc.ok());
  std::vector<std::pair<std::string, std::string>> expected;
  for (const auto& r : created) expected.emplace_back(r.item_url(), r.id());
  std::sort(expected.begin(), expected.end());
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& r : asc->requests()) got.emplace_back(r.item_url(), r.id());
  EXPECT_EQ(got, expected);
  // Descending on the URL; equal URLs stay in ascending id order.
  std::stable_sort(expected.begin(), expected.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  got.clear();
  for (const auto& r : desc->requests()) got.emplace_back(r.item_url(), r.id());
  EXPECT_EQ(got, expected);
}

TEST_F(QueryE2e, CursorsAreTamperEvidentAndBoundToTheirQueryAndSite) {
  CreateMany(10);
  const std::string filter = R"({"status": "RECEIVED"})";
  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse> first =
      calls_.Query(owner_, MakeQuery(filter, {{"id", v1::ASC}}, 3));
  ASSERT_TRUE(first.ok());
  const std::string cursor = first->metadata().cursors().next();
  ASSERT_FALSE(cursor.empty());

  // The same filter and sort again, or none, are fine.
  EXPECT_TRUE(calls_.Query(owner_, MakeQuery(filter, {{"id", v1::ASC}}, 3, cursor)).ok());
  EXPECT_TRUE(calls_.Query(owner_, MakeQuery(filter, {}, 3, cursor)).ok());
  EXPECT_TRUE(calls_.Query(owner_, MakeQuery("", {}, 5, cursor)).ok());

  auto expect_invalid_cursor = [&](const absl::Status& status, const char* what) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << what;
    EXPECT_EQ(errors::ReasonOf(status), "INVALID_CURSOR") << what;
    EXPECT_EQ(BadFieldOf(status), "query.cursor_paging.cursor") << what;
  };
  std::string tampered = cursor;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  expect_invalid_cursor(calls_.Query(owner_, MakeQuery("", {}, 3, tampered)).status(), "tampered");
  expect_invalid_cursor(
      calls_.Query(owner_, MakeQuery(R"({"status": "FAILED"})", {}, 3, cursor)).status(),
      "other filter");
  expect_invalid_cursor(calls_.Query(owner_, MakeQuery("", {{"id", v1::DESC}}, 3, cursor)).status(),
                        "other sort");
  ASSERT_TRUE(settings_.Set(As("shop-2", "user"), true).ok());
  expect_invalid_cursor(calls_.Query(As("shop-2", "user"), MakeQuery("", {}, 3, cursor)).status(),
                        "other site");
  expect_invalid_cursor(calls_.Query(owner_, MakeQuery("", {}, 3, "garbage")).status(), "garbage");
}

TEST_F(QueryE2e, InvalidQueriesNameTheOffender) {
  auto expect_invalid = [&](const v1::PlatformQuery& query, const std::string& reason,
                            const std::string& field) {
    absl::Status status = calls_.Query(owner_, query).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_EQ(errors::ReasonOf(status), reason) << field;
    EXPECT_EQ(BadFieldOf(status), field);
  };
  expect_invalid(MakeQuery(R"({"email": "a@b.co"})"), "INVALID_FILTER", "query.filter.email");
  expect_invalid(MakeQuery(R"({"status": {"$regex": "REC"}})"), "INVALID_FILTER",
                 "query.filter.status.$regex");
  expect_invalid(MakeQuery(R"({"$or": [{"id": "a"}, {"status": 3}]})"), "INVALID_FILTER",
                 "query.filter.$or[1].status");
  expect_invalid(MakeQuery("", {{"email", v1::ASC}}), "INVALID_SORT", "query.sort[0].field_name");
  expect_invalid(MakeQuery("", {}, 101), "INVALID_ARGUMENT", "query.cursor_paging.limit");
  expect_invalid(MakeQuery("", {}, -1), "INVALID_ARGUMENT", "query.cursor_paging.limit");
}

}  // namespace
}  // namespace backinstock::testing
