// Sort orders and keyset pages: default order, ties by id, both directions,
// next and prev anchors, and stability while requests come and go.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_format.h"
#include "backinstock/errors/error.h"
#include "server/domain/query/filter_evaluator.h"
#include "server/domain/query/filter_parser.h"
#include "server/domain/query/page.h"
#include "server/domain/query/sort.h"
#include "tests/support/query_test_util.h"

namespace backinstock::domain::query {
namespace {

using Request = v1::BackInStockNotificationRequest;
using testing::JsonStruct;
using testing::MakeRequest;

const absl::Time kStart = absl::FromUnixSeconds(1'770'000'000);

google::protobuf::RepeatedPtrField<v1::Sorting> Sorts(
    std::initializer_list<std::pair<const char*, v1::SortOrder>> keys) {
  google::protobuf::RepeatedPtrField<v1::Sorting> sorts;
  for (const auto& [name, order] : keys) {
    v1::Sorting* sorting = sorts.Add();
    sorting->set_field_name(name);
    sorting->set_order(order);
  }
  return sorts;
}

TEST(ParseSort, DefaultsToCreatedDateAscendingThenId) {
  absl::StatusOr<SortOrder> order = ParseSort({});
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order, (SortOrder{{Field::kCreatedDate, false}, {Field::kId, false}}));
}

TEST(ParseSort, AppendsIdUnlessPresent) {
  EXPECT_EQ(*ParseSort(Sorts({{"status", v1::DESC}})),
            (SortOrder{{Field::kStatus, true}, {Field::kId, false}}));
  EXPECT_EQ(*ParseSort(Sorts({{"id", v1::DESC}, {"itemUrl", v1::ASC}})),
            (SortOrder{{Field::kId, true}, {Field::kItemUrl, false}}));
}

TEST(ParseSort, RefusesUnknownFieldsDuplicatesAndOrders) {
  absl::StatusOr<SortOrder> unknown = ParseSort(Sorts({{"price", v1::ASC}}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(unknown.status()), "INVALID_SORT");
  EXPECT_EQ(errors::BadRequestOf(unknown.status())->field_violations(0).field(),
            "query.sort[0].field_name");

  absl::StatusOr<SortOrder> twice = ParseSort(Sorts({{"id", v1::ASC}, {"id", v1::DESC}}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(errors::BadRequestOf(twice.status())->field_violations(0).field(),
            "query.sort[1].field_name");

  auto bad_order = Sorts({{"id", v1::ASC}});
  bad_order[0].set_order(static_cast<v1::SortOrder>(7));
  absl::StatusOr<SortOrder> order = ParseSort(bad_order);
  ASSERT_FALSE(order.ok());
  EXPECT_EQ(errors::BadRequestOf(order.status())->field_violations(0).field(),
            "query.sort[0].order");
}

class Pages : public ::testing::Test {
 protected:
  // `n` requests; every third shares its created date with the one before, so
  // ties are broken by id.
  void Fill(int n) {
    for (int i = 0; i < n; ++i) {
      const absl::Time created = kStart + absl::Seconds(i - (i % 3 == 2 ? 1 : 0));
      requests_.push_back(MakeRequest(absl::StrFormat("id-%05d", (i * 7919) % 100000),
                                      i % 2 ? Request::RECEIVED : Request::FAILED, created));
    }
  }
  std::vector<const Request*> Pointers() const {
    std::vector<const Request*> pointers;
    for (const Request& request : requests_) pointers.push_back(&request);
    return pointers;
  }
  // Ids of every matching request in `order`, the slow way.
  std::vector<std::string> Expected(const Filter& filter, const SortOrder& order) const {
    std::vector<const Request*> all = Pointers();
    std::vector<const Request*> matching;
    for (const Request* r : all) {
      if (Matches(filter, *r)) matching.push_back(r);
    }
    std::stable_sort(matching.begin(), matching.end(), [&](const Request* a, const Request* b) {
      return CompareSortValues(order, SortValues(order, *a), SortValues(order, *b)) < 0;
    });
    std::vector<std::string> ids;
    for (const Request* r : matching) ids.push_back(r->id());
    return ids;
  }
  std::vector<Request> requests_;
};

TEST_F(Pages, ForwardThenBackwardVisitEveryItemOnceInOrder) {
  Fill(103);
  const Filter filter = *ParseFilter(JsonStruct(R"({"status": "RECEIVED"})"));
  for (const auto& sorts : {Sorts({}), Sorts({{"createdDate", v1::DESC}}),
                            Sorts({{"status", v1::ASC}, {"id", v1::DESC}})}) {
    const SortOrder order = *ParseSort(sorts);
    const std::vector<std::string> expected = Expected(filter, order);
    ASSERT_EQ(expected.size(), 51u);

    std::vector<std::string> forward;
    std::optional<Anchor> from;
    std::vector<Anchor> prevs;
    int pages = 0;
    do {
      const std::vector<const Request*> all = Pointers();
      Page page = SelectPage(all, filter, order, 7, from);
      for (size_t i : page.items) forward.push_back(all[i]->id());
      EXPECT_EQ(page.prev.has_value(), pages > 0);
      if (page.prev) prevs.push_back(*page.prev);
      from = page.next;
      ++pages;
    } while (from);
    EXPECT_EQ(forward, expected);
    EXPECT_EQ(pages, 8);

    // The prev anchor of the last page leads back through the same pages.
    std::vector<std::string> backward;
    std::optional<Anchor> back = prevs.back();
    while (back) {
      const std::vector<const Request*> all = Pointers();
      Page page = SelectPage(all, filter, order, 7, back);
      std::vector<std::string> ids;
      for (size_t i : page.items) ids.push_back(all[i]->id());
      backward.insert(backward.begin(), ids.begin(), ids.end());
      back = page.prev;
    }
    EXPECT_EQ(backward, std::vector<std::string>(expected.begin(), expected.begin() + 49));
  }
}

TEST_F(Pages, StableWhileRequestsAreAddedAndRemoved) {
  Fill(60);
  const Filter everything = *ParseFilter(JsonStruct("{}"));
  const SortOrder order = *ParseSort({});
  const std::vector<std::string> before = Expected(everything, order);

  std::mt19937 random(7);
  std::vector<std::string> seen;
  std::optional<Anchor> from;
  int added = 0;
  do {
    const std::vector<const Request*> all = Pointers();
    Page page = SelectPage(all, everything, order, 5, from);
    for (size_t i : page.items) seen.push_back(all[i]->id());
    from = page.next;
    // Remove an item already seen and add one dated before everything: the
    // position of the remaining items must not move.
    if (!seen.empty()) {
      const std::string victim = seen[random() % seen.size()];
      requests_.erase(std::remove_if(requests_.begin(), requests_.end(),
                                     [&](const Request& r) { return r.id() == victim; }),
                      requests_.end());
    }
    requests_.push_back(MakeRequest(absl::StrFormat("new-%03d", added++), Request::RECEIVED,
                                    kStart - absl::Hours(1)));
  } while (from);
  EXPECT_EQ(seen, before);
}

TEST_F(Pages, EmptyPageAfterTheAnchorStillLeadsBack) {
  Fill(10);
  const Filter everything = *ParseFilter(JsonStruct("{}"));
  const SortOrder order = *ParseSort({});
  std::vector<const Request*> all = Pointers();
  Page first = SelectPage(all, everything, order, 9, std::nullopt);
  ASSERT_TRUE(first.next);
  // The one remaining item goes away before the next page is asked for.
  const std::string last = Expected(everything, order).back();
  requests_.erase(std::remove_if(requests_.begin(), requests_.end(),
                                 [&](const Request& r) { return r.id() == last; }),
                  requests_.end());
  all = Pointers();
  Page empty = SelectPage(all, everything, order, 9, first.next);
  EXPECT_TRUE(empty.items.empty());
  EXPECT_FALSE(empty.next);
  ASSERT_TRUE(empty.prev);
  Page again = SelectPage(all, everything, order, 9, empty.prev);
  EXPECT_EQ(again.items.size(), 9u);
  EXPECT_FALSE(again.prev);
}

}  // namespace
}  // namespace backinstock::domain::query
