// Building requests from HTTP: JSON bodies, query strings, `.r=`, path
// variables; and the error envelope's field paths and statuses.
#include "server/http/request_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "backinstock/errors/error.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "nlohmann/json.hpp"
#include "server/http/error_envelope.h"

namespace backinstock::http {
namespace {

using ::testing::HasSubstr;

Route BodyRoute(const google::protobuf::MethodDescriptor* method) {
  Route route;
  route.body = "*";
  route.method = method;
  return route;
}

const google::protobuf::MethodDescriptor* Method(const google::protobuf::Descriptor* input,
                                                 const std::string& name) {
  return input->file()->service(0)->FindMethodByName(name);
}

TEST(RequestMappingTest, BodyIsProto3JsonWithUnknownFieldsIgnored) {
  Route route = BodyRoute(
      Method(v1::StartCollectingRequestsRequest::descriptor(), "StartCollectingRequests"));
  RouteMatch match{&route, {}};
  v1::StartCollectingRequestsRequest request;
  ASSERT_TRUE(BuildRequest(match, "", R"({"appId":"a","future":1})", &request).ok());
  EXPECT_EQ(request.app_id(), "a");
  v1::StartCollectingRequestsRequest by_proto_name;
  ASSERT_TRUE(BuildRequest(match, "", R"({"app_id":"b"})", &by_proto_name).ok());
  EXPECT_EQ(by_proto_name.app_id(), "b");

  absl::Status bad = BuildRequest(match, "", R"({"appId":7})", &request);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::ReasonOf(bad), "MALFORMED_REQUEST");
}

TEST(RequestMappingTest, QueryStringAndDotR) {
  Route route;
  route.method = Method(v1::QueryBackInStockNotificationRequestsRequest::descriptor(),
                        "QueryBackInStockNotificationRequests");
  RouteMatch match{&route, {}};
  v1::QueryBackInStockNotificationRequestsRequest request;
  ASSERT_TRUE(BuildRequest(match,
                           "query.cursorPaging.limit=7&query.cursor_paging.cursor=a%2Bb+c"
                           "&query.filter=%7B%22status%22%3A%22RECEIVED%22%7D&ignored=1",
                           "", &request)
                  .ok());
  EXPECT_EQ(request.query().cursor_paging().limit(), 7);
  EXPECT_EQ(request.query().cursor_paging().cursor(), "a+b c");
  EXPECT_EQ(request.query().filter().fields().at("status").string_value(), "RECEIVED");

  std::string r;
  absl::WebSafeBase64Escape(R"({"query":{"sort":[{"fieldName":"id","order":"DESC"}]}})", &r);
  v1::QueryBackInStockNotificationRequestsRequest from_r;
  ASSERT_TRUE(BuildRequest(match, ".r=" + r, "", &from_r).ok());
  ASSERT_EQ(from_r.query().sort_size(), 1);
  EXPECT_EQ(from_r.query().sort(0).field_name(), "id");

  EXPECT_EQ(errors::ReasonOf(BuildRequest(match, "query.cursorPaging.limit=x", "", &request)),
            "MALFORMED_REQUEST");
  EXPECT_EQ(errors::ReasonOf(BuildRequest(match, ".r=***", "", &request)), "MALFORMED_REQUEST");
  EXPECT_EQ(errors::ReasonOf(BuildRequest(match, "a=%zz", "", &request)), "MALFORMED_REQUEST");
  EXPECT_EQ(errors::ReasonOf(BuildRequest(match, "a=%2", "", &request)), "MALFORMED_REQUEST");
}

TEST(RequestMappingTest, PathVariableMayBeRepeatedWhenEqual) {
  Route route =
      BodyRoute(Method(v1::MarkAsNotificationSentRequest::descriptor(), "MarkAsNotificationSent"));
  RouteMatch match{&route, {{"id", "r1"}}};
  v1::MarkAsNotificationSentRequest request;
  ASSERT_TRUE(BuildRequest(match, "", R"({"id":"r1"})", &request).ok());
  EXPECT_EQ(request.id(), "r1");
  v1::MarkAsNotificationSentRequest empty_body;
  ASSERT_TRUE(BuildRequest(match, "", "", &empty_body).ok());
  EXPECT_EQ(empty_body.id(), "r1");
  v1::MarkAsNotificationSentRequest other;
  absl::Status mismatch = BuildRequest(match, "", R"({"id":"r2"})", &other);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::BadRequestOf(mismatch)->field_violations(0).field(), "id");
}

TEST(ErrorEnvelopeTest, StatusesAndBodies) {
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kFailedPrecondition), 428);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kCancelled), 499);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDeadlineExceeded), 504);
  EXPECT_EQ(HttpStatusFor(absl::StatusCode::kDataLoss), 500);

  nlohmann::json app = nlohmann::json::parse(ErrorBody(errors::Error(
      absl::StatusCode::kAlreadyExists, "DUPLICATE", "already there", {{"id", "r1"}})));
  EXPECT_EQ(app["message"], "already there");
  EXPECT_EQ(app["details"]["applicationError"]["code"], "DUPLICATE");
  EXPECT_EQ(app["details"]["applicationError"]["description"], "already there");
  EXPECT_EQ(app["details"]["applicationError"]["data"]["id"], "r1");

  nlohmann::json validation = nlohmann::json::parse(
      ErrorBody(errors::InvalidField("request.catalog_reference.app_id", "not a GUID")));
  EXPECT_EQ(validation["details"]["validationError"]["fieldViolations"][0]["field"],
            "request.catalogReference.appId");
  // No ErrorInfo at all (gRPC's own refusals): the code's name.
  nlohmann::json bare = nlohmann::json::parse(ErrorBody(absl::ResourceExhaustedError("big")));
  EXPECT_EQ(bare["details"]["applicationError"]["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(JsonFieldPath("catalog_references[2].catalog_item_id"),
            "catalogReferences[2].catalogItemId");
}

}  // namespace
}  // namespace backinstock::http
