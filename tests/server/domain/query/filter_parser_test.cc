// The filter language: every field and operator parses, everything else is
// INVALID_ARGUMENT naming the offender.
#include "server/domain/query/filter_parser.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "tests/support/query_test_util.h"

namespace backinstock::domain::query {
namespace {

using testing::JsonStruct;

absl::StatusOr<Filter> Parse(const std::string& json) { return ParseFilter(JsonStruct(json)); }

// The BadRequest field path of a failed parse.
std::string OffenderOf(const absl::Status& status) {
  auto bad_request = errors::BadRequestOf(status);
  if (!bad_request || bad_request->field_violations_size() != 1) return "<no BadRequest>";
  return bad_request->field_violations(0).field();
}

TEST(FilterParser, EmptyFilterMatchesEverything) {
  absl::StatusOr<Filter> filter = Parse("{}");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->kind, Filter::Kind::kAnd);
  EXPECT_TRUE(filter->children.empty());
}

TEST(FilterParser, BareValueMeansEq) {
  absl::StatusOr<Filter> filter = Parse(R"({"status": "RECEIVED"})");
  ASSERT_TRUE(filter.ok()) << filter.status();
  ASSERT_EQ(filter->kind, Filter::Kind::kCondition);
  EXPECT_EQ(filter->condition.field, Field::kStatus);
  EXPECT_EQ(filter->condition.op, Operator::kEq);
  ASSERT_EQ(filter->condition.operands.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(filter->condition.operands[0]),
            static_cast<int64_t>(v1::BackInStockNotificationRequest::RECEIVED));
}

TEST(FilterParser, EveryFieldAndOperatorThatApplies) {
  const char* valid[] = {
      R"({"id": "a"})",
      R"({"id": {"$eq": "a", "$ne": "b"}})",
      R"({"id": {"$in": ["a", "b"]}})",
      R"({"id": {"$in": []}})",
      R"({"id": {"$exists": true}})",
      R"({"id": {"$startsWith": "ab"}})",
      R"({"id": {"$gt": "a", "$gte": "a", "$lt": "z", "$lte": "z"}})",
      R"({"contactId": {"$startsWith": "c", "$ne": "c-2"}})",
      R"({"status": {"$in": ["RECEIVED", "PROCESSING", "NOTIFICATION_SENT", "FAILED"]}})",
      R"({"status": {"$ne": "FAILED", "$exists": true}})",
      R"({"autoNotified": true})",
      R"({"autoNotified": {"$ne": false, "$exists": false, "$in": [true]}})",
      R"({"createdDate": {"$gte": "2026-01-01T00:00:00Z", "$lt": "2026-01-02T00:00:00.5+02:00"}})",
      R"({"createdDate": "2026-01-01T00:00:00.123456789Z"})",
      R"({"itemUrl": {"$startsWith": "https://", "$exists": true, "$lte": "https://z"}})",
      R"({"$and": [{"status": "RECEIVED"}, {"$or": [{"id": "a"}, {"$not": {"id": "b"}}]}]})",
      R"({"$not": {"autoNotified": true}, "status": "FAILED"})",
  };
  for (const char* json : valid) {
    absl::StatusOr<Filter> filter = Parse(json);
    EXPECT_TRUE(filter.ok()) << json << ": " << filter.status();
  }
}

TEST(FilterParser, SeveralKeysAreAndedInKeyOrder) {
  absl::StatusOr<Filter> filter = Parse(R"({"status": "RECEIVED", "id": "x"})");
  ASSERT_TRUE(filter.ok());
  ASSERT_EQ(filter->kind, Filter::Kind::kAnd);
  ASSERT_EQ(filter->children.size(), 2u);
  EXPECT_EQ(filter->children[0].condition.field, Field::kId);
  EXPECT_EQ(filter->children[1].condition.field, Field::kStatus);
}

struct Invalid {
  const char* json;
  const char* offender;  // BadRequest field path
  const char* says;      // a fragment of the description
};

TEST(FilterParser, RefusesWhatItDoesNotKnowAndNamesTheOffender) {
  const Invalid cases[] = {
      {R"({"price": 1})", "query.filter.price", "unknown field \"price\""},
      {R"({"email": "a@b.co"})", "query.filter.email", "unknown field \"email\""},
      {R"({"ID": "a"})", "query.filter.ID", "unknown field"},
      {R"({"$nor": []})", "query.filter.$nor", "unknown operator \"$nor\""},
      {R"({"id": {"$regex": "a.*"}})", "query.filter.id.$regex", "unknown operator \"$regex\""},
      {R"({"id": {"$eq": "a", "eq": "b"}})", "query.filter.id.eq", "unknown operator \"eq\""},
      {R"({"id": {}})", "query.filter.id", "empty object"},
      {R"({"id": null})", "query.filter.id", "not null"},
      {R"({"id": 5})", "query.filter.id", "not a number"},
      {R"({"id": ["a"]})", "query.filter.id", "not an array"},
      {R"({"status": "SENT"})", "query.filter.status", "\"SENT\""},
      {R"({"status": "UNSPECIFIED"})", "query.filter.status", "\"UNSPECIFIED\""},
      {R"({"status": {"$startsWith": "REC"}})", "query.filter.status.$startsWith",
       "$startsWith applies"},
      {R"({"status": {"$gt": "RECEIVED"}})", "query.filter.status.$gt", "$gt applies"},
      {R"({"autoNotified": "true"})", "query.filter.autoNotified", "true or false"},
      {R"({"autoNotified": {"$lt": true}})", "query.filter.autoNotified.$lt", "$lt applies"},
      {R"({"createdDate": "yesterday"})", "query.filter.createdDate", "RFC 3339"},
      {R"({"createdDate": {"$gte": "2026-01-01"}})", "query.filter.createdDate.$gte", "RFC 3339"},
      {R"({"createdDate": {"$startsWith": "2026"}})", "query.filter.createdDate.$startsWith",
       "$startsWith applies"},
      {R"({"id": {"$exists": "yes"}})", "query.filter.id.$exists", "true or false"},
      {R"({"id": {"$in": "a"}})", "query.filter.id.$in", "takes an array"},
      {R"({"id": {"$in": ["a", 2]}})", "query.filter.id.$in[1]", "not a number"},
      {R"({"$and": {"id": "a"}})", "query.filter.$and", "array of filter objects"},
      {R"({"$or": []})", "query.filter.$or", "at least one"},
      {R"({"$or": ["a"]})", "query.filter.$or[0]", "filter objects"},
      {R"({"$or": [{"id": "a"}, {"colour": "red"}]})", "query.filter.$or[1].colour",
       "unknown field"},
      {R"({"$not": [{"id": "a"}]})", "query.filter.$not", "filter object"},
      {R"({"$not": {"id": {"$like": "a"}}})", "query.filter.$not.id.$like", "unknown operator"},
  };
  for (const Invalid& c : cases) {
    absl::StatusOr<Filter> filter = Parse(c.json);
    ASSERT_FALSE(filter.ok()) << c.json;
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument) << c.json;
    EXPECT_EQ(errors::ReasonOf(filter.status()), "INVALID_FILTER") << c.json;
    EXPECT_EQ(OffenderOf(filter.status()), c.offender) << c.json;
    EXPECT_NE(filter.status().message().find(c.says), absl::string_view::npos)
        << c.json << ": " << filter.status().message();
  }
}

TEST(FilterParser, BoundsNestingConditionsAndInLists) {
  std::string deep = R"({"id": "a"})";
  for (int i = 0; i < kMaxFilterDepth + 1; ++i) deep = absl::StrCat(R"({"$not": )", deep, "}");
  absl::StatusOr<Filter> too_deep = Parse(deep);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_EQ(errors::ReasonOf(too_deep.status()), "INVALID_FILTER");

  std::string many = R"({"$or": [)";
  for (int i = 0; i <= kMaxFilterConditions; ++i) {
    absl::StrAppend(&many, i ? "," : "", R"({"id": "x)", i, R"("})");
  }
  absl::StrAppend(&many, "]}");
  EXPECT_FALSE(Parse(many).ok());

  std::string in = R"({"id": {"$in": [)";
  for (int i = 0; i <= kMaxInOperands; ++i) absl::StrAppend(&in, i ? "," : "", R"("x")");
  absl::StrAppend(&in, "]}}");
  EXPECT_FALSE(Parse(in).ok());
}

}  // namespace
}  // namespace backinstock::domain::query

namespace backinstock::domain::query {
namespace {

// Hostile filters: bounded work, bounded errors.
TEST(FilterParserLimits, TheWholeFilterHasANodeBudget) {
  // 20 conditions (well under the condition limit), each with 100 $in values.
  std::string values;
  for (int i = 0; i < 100; ++i) absl::StrAppend(&values, i ? "," : "", "\"id-", i, "\"");
  std::string ors;
  for (int i = 0; i < 20; ++i)
    absl::StrAppend(&ors, i ? "," : "", R"({"id": {"$in": [)", values, "]}}");
  absl::Status status = Parse(absl::StrCat(R"({"$or": [)", ors, "]}")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(status), "INVALID_FILTER");
  // Five such conditions are fine.
  std::string few;
  for (int i = 0; i < 5; ++i)
    absl::StrAppend(&few, i ? "," : "", R"({"id": {"$in": [)", values, "]}}");
  EXPECT_TRUE(Parse(absl::StrCat(R"({"$or": [)", few, "]}")).ok());
}

TEST(FilterParserLimits, EmptyObjectsInListsAreRefused) {
  EXPECT_EQ(errors::ReasonOf(Parse(R"({"$and": [{}, {}]})").status()), "INVALID_FILTER");
  EXPECT_EQ(errors::ReasonOf(Parse(R"({"$or": [{"id": "a"}, {}]})").status()), "INVALID_FILTER");
}

TEST(FilterParserLimits, OversizedFiltersAreRefused) {
  const std::string big(kMaxFilterBytes, 'x');
  absl::Status status = Parse(absl::StrCat(R"({"itemUrl": ")", big, "\"}")).status();
  EXPECT_EQ(errors::ReasonOf(status), "INVALID_FILTER");
  EXPECT_EQ(OffenderOf(status), "query.filter");
}

TEST(FilterParserLimits, HostileKeysDoNotBloatTheError) {
  const std::string key(100000, 'k');
  for (const std::string& json :
       {absl::StrCat("{\"", key, "\": 1}"), absl::StrCat(R"({"id": {")", key, "\": 1}}"),
        absl::StrCat(R"({"$and": [{")", key, "\": 1}]}")}) {
    absl::Status status = ParseFilter(testing::JsonStruct(json)).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_LT(status.message().size(), 1024u);
    EXPECT_LT(OffenderOf(status).size(), 300u);
  }
}

}  // namespace
}  // namespace backinstock::domain::query
