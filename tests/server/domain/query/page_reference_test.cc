// The query evaluation (filter, sort, keyset page) against a naive reference
// on random data: the evaluator reads fields in place and keeps only a page's
// worth of matches, the reference copies every value, filters, sorts every
// match and cuts the page, as the first version of SelectPage did. Requests
// share contact ids, urls, statuses and dates on purpose, so most orders are
// decided by ties and the id that breaks them.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/domain/query/filter_evaluator.h"
#include "server/domain/query/page.h"
#include "server/domain/query/sort.h"

namespace backinstock::domain::query {
namespace {

using Request = v1::BackInStockNotificationRequest;

// ---- The reference -------------------------------------------------------

// Nanoseconds of a date the slow and obviously saturating way.
int64_t ReferenceNanos(int64_t seconds, int32_t nanos) {
  return absl::ToUnixNanos(absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos));
}

Value ReferenceValue(const Request& request, Field field) {
  switch (field) {
    case Field::kId:
      return request.id();
    case Field::kContactId:
      return request.contact_id();
    case Field::kStatus:
      return static_cast<int64_t>(request.status());
    case Field::kAutoNotified:
      if (!request.has_auto_notified()) return std::monostate{};
      return request.auto_notified().value();
    case Field::kCreatedDate:
      if (!request.has_created_date()) return std::monostate{};
      return ReferenceNanos(request.created_date().seconds(), request.created_date().nanos());
    case Field::kItemUrl:
      return request.item_url();
  }
  return std::monostate{};
}

std::vector<Value> ReferenceSortValues(const SortOrder& order, const Request& request) {
  std::vector<Value> values;
  for (const SortKey& key : order) values.push_back(ReferenceValue(request, key.field));
  return values;
}

bool ReferenceMatches(const Filter& filter, const Request& request) {
  switch (filter.kind) {
    case Filter::Kind::kAnd:
      return std::all_of(filter.children.begin(), filter.children.end(),
                         [&](const Filter& child) { return ReferenceMatches(child, request); });
    case Filter::Kind::kOr:
      return std::any_of(filter.children.begin(), filter.children.end(),
                         [&](const Filter& child) { return ReferenceMatches(child, request); });
    case Filter::Kind::kNot:
      return !ReferenceMatches(filter.children.front(), request);
    case Filter::Kind::kCondition:
      break;
  }
  const Condition& condition = filter.condition;
  if (condition.op == Operator::kExists) {
    return FieldExists(request, condition.field) == std::get<bool>(condition.operands.front());
  }
  const Value value = ReferenceValue(request, condition.field);
  if (std::holds_alternative<std::monostate>(value)) return condition.op == Operator::kNe;
  if (condition.op == Operator::kIn) {
    return std::any_of(condition.operands.begin(), condition.operands.end(),
                       [&](const Value& v) { return CompareValues(value, v) == 0; });
  }
  const Value& operand = condition.operands.front();
  switch (condition.op) {
    case Operator::kEq:
      return CompareValues(value, operand) == 0;
    case Operator::kNe:
      return CompareValues(value, operand) != 0;
    case Operator::kStartsWith:
      return std::get<std::string>(value).rfind(std::get<std::string>(operand), 0) == 0;
    case Operator::kGt:
      return CompareValues(value, operand) > 0;
    case Operator::kGte:
      return CompareValues(value, operand) >= 0;
    case Operator::kLt:
      return CompareValues(value, operand) < 0;
    case Operator::kLte:
      return CompareValues(value, operand) <= 0;
    case Operator::kIn:
    case Operator::kExists:
      break;
  }
  return false;
}

// Every match sorted, then the page cut from the anchor's side.
Page ReferencePage(const std::vector<const Request*>& requests, const Filter& filter,
                   const SortOrder& order, int limit, const std::optional<Anchor>& from) {
  struct Match {
    size_t index;
    std::vector<Value> values;
  };
  const bool backward = from && from->backward;
  std::vector<Match> sorted;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (ReferenceMatches(filter, *requests[i])) {
      sorted.push_back({i, ReferenceSortValues(order, *requests[i])});
    }
  }
  std::stable_sort(sorted.begin(), sorted.end(), [&](const Match& a, const Match& b) {
    return CompareSortValues(order, a.values, b.values) < 0;
  });
  std::vector<Match> side;
  size_t others = 0;
  for (Match& match : sorted) {
    bool on_side = true;
    if (from) {
      const int c = CompareSortValues(order, match.values, from->position);
      on_side = backward ? (c < 0 || (c == 0 && from->inclusive))
                         : (c > 0 || (c == 0 && from->inclusive));
    }
    if (on_side) {
      side.push_back(std::move(match));
    } else {
      ++others;
    }
  }
  const size_t take = std::min(side.size(), static_cast<size_t>(limit));
  const bool more = side.size() > take;
  std::vector<Match> cut = backward ? std::vector<Match>(side.end() - take, side.end())
                                    : std::vector<Match>(side.begin(), side.begin() + take);
  Page page;
  for (const Match& match : cut) page.items.push_back(match.index);
  if (backward ? others > 0 : more) {
    page.next = cut.empty() ? Anchor{false, !from->inclusive, from->position}
                            : Anchor{false, false, cut.back().values};
  }
  if (backward ? more : others > 0) {
    page.prev = cut.empty() ? Anchor{true, !from->inclusive, from->position}
                            : Anchor{true, false, cut.front().values};
  }
  return page;
}

// ---- Random data ---------------------------------------------------------

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  int Below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(engine_); }
  bool Coin() { return Below(2) == 0; }
  template <typename T>
  const T& Pick(const std::vector<T>& from) {
    return from[static_cast<size_t>(Below(static_cast<int>(from.size())))];
  }
  std::mt19937& engine() { return engine_; }

 private:
  std::mt19937 engine_;
};

// Few distinct values, some prefixes of others, so ties and $startsWith hit.
const std::vector<std::string> kContacts = {"", "c", "c1", "c10", "c2"};
const std::vector<std::string> kUrls = {"", "u/a", "u/ab", "u/b", "v"};
// Seconds, including dates before 1970 and beyond 2262 (saturated).
const std::vector<int64_t> kSeconds = {-86'400, 0, 1'770'000'000, 1'770'000'001, 253'402'300'799};

Request RandomRequest(Random& random, const std::string& id) {
  Request request;
  request.set_id(id);
  request.set_contact_id(random.Pick(kContacts));
  request.set_item_url(random.Pick(kUrls));
  request.set_status(static_cast<Request::Status>(random.Below(5)));
  if (random.Below(3) > 0) request.mutable_auto_notified()->set_value(random.Coin());
  if (random.Below(4) > 0) {
    request.mutable_created_date()->set_seconds(random.Pick(kSeconds));
    request.mutable_created_date()->set_nanos(random.Coin() ? 0 : 500);
  }
  return request;
}

Value RandomOperand(Random& random, Field field) {
  switch (field) {
    case Field::kId:
      return absl::StrCat("id-", random.Below(40));
    case Field::kContactId:
      return random.Pick(kContacts);
    case Field::kItemUrl:
      return random.Pick(kUrls);
    case Field::kStatus:
      return static_cast<int64_t>(random.Below(5));
    case Field::kAutoNotified:
      return random.Coin();
    case Field::kCreatedDate:
      return ReferenceNanos(random.Pick(kSeconds), random.Coin() ? 0 : 500);
  }
  return std::monostate{};
}

// A condition the parser could have produced: $startsWith on text, ranges on
// ordered fields only.
Filter RandomCondition(Random& random) {
  Filter filter;
  filter.kind = Filter::Kind::kCondition;
  Condition& condition = filter.condition;
  condition.field = static_cast<Field>(random.Below(kFieldCount));
  std::vector<Operator> ops = {Operator::kEq, Operator::kNe, Operator::kIn, Operator::kExists};
  if (IsTextField(condition.field)) ops.push_back(Operator::kStartsWith);
  if (IsOrderedField(condition.field)) {
    ops.insert(ops.end(), {Operator::kGt, Operator::kGte, Operator::kLt, Operator::kLte});
  }
  condition.op = random.Pick(ops);
  if (condition.op == Operator::kExists) {
    condition.operands.push_back(random.Coin());
  } else if (condition.op == Operator::kStartsWith) {
    const std::string text = std::get<std::string>(RandomOperand(random, condition.field));
    condition.operands.push_back(text.substr(0, static_cast<size_t>(random.Below(4))));
  } else {
    const int count = condition.op == Operator::kIn ? random.Below(4) : 1;
    for (int i = 0; i < count; ++i)
      condition.operands.push_back(RandomOperand(random, condition.field));
  }
  return filter;
}

Filter RandomFilter(Random& random, int depth) {
  const int pick = depth == 0 ? 3 : random.Below(6);
  if (pick >= 3) return RandomCondition(random);
  Filter filter;
  filter.kind = pick == 0 ? Filter::Kind::kAnd : pick == 1 ? Filter::Kind::kOr : Filter::Kind::kNot;
  const int children = filter.kind == Filter::Kind::kNot ? 1 : random.Below(4);
  for (int i = 0; i < children; ++i) filter.children.push_back(RandomFilter(random, depth - 1));
  return filter;
}

// Up to three distinct keys, then id unless already there (as ParseSort does).
SortOrder RandomOrder(Random& random) {
  std::vector<int> fields = {0, 1, 2, 3, 4, 5};
  std::shuffle(fields.begin(), fields.end(), random.engine());
  SortOrder order;
  bool has_id = false;
  for (int i = 0, n = 1 + random.Below(3); i < n; ++i) {
    order.push_back({static_cast<Field>(fields[static_cast<size_t>(i)]), random.Coin()});
    has_id = has_id || order.back().field == Field::kId;
  }
  if (!has_id) order.push_back({Field::kId, false});
  return order;
}

void ExpectSamePage(const Page& actual, const Page& expected, const std::string& where) {
  EXPECT_EQ(actual.items, expected.items) << where;
  EXPECT_EQ(actual.next, expected.next) << where;
  EXPECT_EQ(actual.prev, expected.prev) << where;
}

TEST(PageReference, DatesReadInPlaceEqualTheSaturatedNanoseconds) {
  Random random(7);
  for (int64_t seconds :
       {int64_t{-62'135'596'800}, int64_t{-9'000'000'000}, int64_t{-8'999'999'999}, int64_t{0},
        int64_t{8'999'999'999}, int64_t{9'000'000'000}, int64_t{9'223'372'036},
        int64_t{9'223'372'037}, int64_t{253'402'300'799}}) {
    for (int32_t nanos : {0, 1, 854'775'807, 854'775'808, 999'999'999}) {
      Request request;
      request.mutable_created_date()->set_seconds(seconds);
      request.mutable_created_date()->set_nanos(nanos);
      EXPECT_EQ(std::get<int64_t>(FieldValue(request, Field::kCreatedDate)),
                ReferenceNanos(seconds, nanos))
          << seconds << "s " << nanos << "ns";
    }
  }
}

TEST(PageReference, RandomQueriesGiveTheReferencePagesAndCursors) {
  for (uint32_t seed = 1; seed <= 400; ++seed) {
    Random random(seed);
    std::vector<int> numbers(40);
    for (int i = 0; i < 40; ++i) numbers[static_cast<size_t>(i)] = i;
    std::shuffle(numbers.begin(), numbers.end(), random.engine());
    std::vector<Request> requests;
    for (int i = 0, n = random.Below(40); i < n; ++i) {
      requests.push_back(
          RandomRequest(random, absl::StrCat("id-", numbers[static_cast<size_t>(i)])));
    }
    std::vector<const Request*> pointers;
    for (const Request& request : requests) pointers.push_back(&request);
    const Filter filter = RandomFilter(random, 3);
    const SortOrder order = RandomOrder(random);
    const int limit = 1 + random.Below(8);
    const std::string where = absl::StrCat("seed ", seed);

    for (const Request& request : requests) {
      ASSERT_EQ(Matches(filter, request), ReferenceMatches(filter, request)) << where;
    }

    // Forward through every page, then back from the last one.
    std::optional<Anchor> from;
    std::optional<Anchor> last_prev;
    int pages = 0;
    do {
      const Page page = SelectPage(pointers, filter, order, limit, from);
      ExpectSamePage(page, ReferencePage(pointers, filter, order, limit, from),
                     absl::StrCat(where, " forward page ", pages));
      last_prev = page.prev;
      from = page.next;
    } while (from && ++pages < 50);
    for (from = last_prev, pages = 0; from && pages < 50; ++pages) {
      const Page page = SelectPage(pointers, filter, order, limit, from);
      ExpectSamePage(page, ReferencePage(pointers, filter, order, limit, from),
                     absl::StrCat(where, " backward page ", pages));
      from = page.prev;
    }

    // Anchors at any request's position (also one not in the site), either
    // direction, inclusive or not.
    for (int i = 0; i < 5; ++i) {
      const Request elsewhere = RandomRequest(random, absl::StrCat("id-", random.Below(45)));
      const Request& at = requests.empty() || random.Coin() ? elsewhere : random.Pick(requests);
      const Anchor anchor{random.Coin(), random.Coin(), ReferenceSortValues(order, at)};
      ExpectSamePage(SelectPage(pointers, filter, order, limit, anchor),
                     ReferencePage(pointers, filter, order, limit, anchor),
                     absl::StrCat(where, " anchor ", i));
    }
  }
}

}  // namespace
}  // namespace backinstock::domain::query
