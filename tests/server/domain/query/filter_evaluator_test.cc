// The evaluator on every field and operator, absent values, and the logical
// combinators.
#include "server/domain/query/filter_evaluator.h"

#include <gtest/gtest.h>

#include "server/domain/query/filter_parser.h"
#include "tests/support/query_test_util.h"

namespace backinstock::domain::query {
namespace {

using Request = v1::BackInStockNotificationRequest;
using testing::JsonStruct;
using testing::MakeRequest;

const absl::Time kNoon =
    absl::FromCivil(absl::CivilSecond(2026, 3, 1, 12, 0, 0), absl::UTCTimeZone());

bool Match(const std::string& json, const Request& request) {
  absl::StatusOr<Filter> filter = ParseFilter(JsonStruct(json));
  if (!filter.ok()) throw std::invalid_argument(std::string(filter.status().message()));
  return Matches(*filter, request);
}

class FilterEvaluator : public ::testing::Test {
 protected:
  FilterEvaluator() {
    sent_ = MakeRequest("bbbb", Request::NOTIFICATION_SENT, kNoon, "https://shop.example/p/1",
                        "contact-7");
    sent_.mutable_auto_notified()->set_value(true);
    received_ = MakeRequest("aaaa", Request::RECEIVED, kNoon - absl::Hours(1));  // no item url
  }
  Request sent_;
  Request received_;
};

TEST_F(FilterEvaluator, EqNeIn) {
  EXPECT_TRUE(Match(R"({"id": "bbbb"})", sent_));
  EXPECT_FALSE(Match(R"({"id": "bbbb"})", received_));
  EXPECT_TRUE(Match(R"({"id": {"$ne": "bbbb"}})", received_));
  EXPECT_TRUE(Match(R"({"contactId": "contact-7"})", sent_));
  EXPECT_TRUE(Match(R"({"status": {"$in": ["RECEIVED", "FAILED"]}})", received_));
  EXPECT_FALSE(Match(R"({"status": {"$in": ["RECEIVED", "FAILED"]}})", sent_));
  EXPECT_FALSE(Match(R"({"status": {"$in": []}})", sent_));
  EXPECT_TRUE(Match(R"({"itemUrl": "https://shop.example/p/1"})", sent_));
}

TEST_F(FilterEvaluator, AutoNotifiedAbsentEqualsNothing) {
  EXPECT_TRUE(Match(R"({"autoNotified": true})", sent_));
  EXPECT_FALSE(Match(R"({"autoNotified": false})", received_));
  EXPECT_FALSE(Match(R"({"autoNotified": true})", received_));
  EXPECT_TRUE(Match(R"({"autoNotified": {"$ne": true}})", received_));
  EXPECT_FALSE(Match(R"({"autoNotified": {"$in": [true, false]}})", received_));
  EXPECT_TRUE(Match(R"({"autoNotified": {"$exists": false}})", received_));
  EXPECT_TRUE(Match(R"({"autoNotified": {"$exists": true}})", sent_));
}

TEST_F(FilterEvaluator, ExistsOnText) {
  EXPECT_TRUE(Match(R"({"itemUrl": {"$exists": true}})", sent_));
  EXPECT_FALSE(Match(R"({"itemUrl": {"$exists": true}})", received_));
  EXPECT_TRUE(Match(R"({"itemUrl": {"$exists": false}})", received_));
  EXPECT_TRUE(Match(R"({"status": {"$exists": true}})", received_));
}

TEST_F(FilterEvaluator, StartsWithAndRangesOnText) {
  EXPECT_TRUE(Match(R"({"itemUrl": {"$startsWith": "https://shop."}})", sent_));
  EXPECT_FALSE(Match(R"({"itemUrl": {"$startsWith": "http://"}})", sent_));
  // Text fields are never absent: an empty item URL starts with "".
  EXPECT_TRUE(Match(R"({"itemUrl": {"$startsWith": ""}})", received_));
  EXPECT_TRUE(Match(R"({"id": {"$gt": "aaaa"}})", sent_));
  EXPECT_FALSE(Match(R"({"id": {"$gt": "aaaa"}})", received_));
  EXPECT_TRUE(Match(R"({"id": {"$gte": "aaaa", "$lt": "bbbb"}})", received_));
  EXPECT_TRUE(Match(R"({"id": {"$lte": "bbbb"}})", sent_));
  EXPECT_FALSE(Match(R"({"id": {"$lt": "bbbb"}})", sent_));
}

TEST_F(FilterEvaluator, CreatedDateComparesInstantsWhateverTheOffset) {
  EXPECT_TRUE(Match(R"({"createdDate": "2026-03-01T12:00:00Z"})", sent_));
  EXPECT_TRUE(Match(R"({"createdDate": "2026-03-01T14:00:00+02:00"})", sent_));
  EXPECT_TRUE(Match(R"({"createdDate": {"$gte": "2026-03-01T12:00:00Z"}})", sent_));
  EXPECT_FALSE(Match(R"({"createdDate": {"$gt": "2026-03-01T12:00:00Z"}})", sent_));
  EXPECT_TRUE(Match(R"({"createdDate": {"$gt": "2026-03-01T11:59:59.999999999Z"}})", sent_));
  EXPECT_TRUE(Match(R"({"createdDate": {"$lt": "2026-03-01T12:00:00Z"}})", received_));
  EXPECT_TRUE(Match(R"({"createdDate": {"$lte": "2026-03-01T11:00:00Z"}})", received_));
  // Far outside the nanosecond range still orders correctly.
  EXPECT_TRUE(Match(R"({"createdDate": {"$gt": "1200-01-01T00:00:00Z"}})", sent_));
  EXPECT_TRUE(Match(R"({"createdDate": {"$lt": "9999-01-01T00:00:00Z"}})", sent_));
  Request undated = received_;
  undated.clear_created_date();
  EXPECT_FALSE(Match(R"({"createdDate": {"$lt": "9999-01-01T00:00:00Z"}})", undated));
  EXPECT_TRUE(Match(R"({"createdDate": {"$exists": false}})", undated));
}

TEST_F(FilterEvaluator, AndOrNot) {
  const std::string both = R"({"$and": [{"status": "NOTIFICATION_SENT"}, {"autoNotified": true}]})";
  EXPECT_TRUE(Match(both, sent_));
  EXPECT_FALSE(Match(both, received_));
  const std::string either = R"({"$or": [{"id": "aaaa"}, {"id": "bbbb"}]})";
  EXPECT_TRUE(Match(either, sent_));
  EXPECT_TRUE(Match(either, received_));
  EXPECT_FALSE(Match(R"({"$or": [{"id": "cccc"}, {"status": "FAILED"}]})", sent_));
  EXPECT_TRUE(Match(R"({"$not": {"status": "RECEIVED"}})", sent_));
  EXPECT_FALSE(Match(R"({"$not": {"status": "RECEIVED"}})", received_));
  EXPECT_TRUE(
      Match(R"({"$not": {"$or": [{"id": "x"}, {"id": "y"}]}, "status": "RECEIVED"})", received_));
  EXPECT_TRUE(Match("{}", sent_));
}

}  // namespace
}  // namespace backinstock::domain::query
