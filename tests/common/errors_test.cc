#include <gtest/gtest.h>

#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "google/rpc/status.pb.h"
#include "server/auth/audit_log.h"

namespace backinstock::errors {
namespace {

TEST(Errors, ErrorCarriesExactlyOneErrorInfo) {
  absl::Status status =
      Error(absl::StatusCode::kFailedPrecondition, "SOME_REASON", "msg", {{"k", "v"}});
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(wire.error_message(), "msg");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(wire.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(absl::StatusCode::kFailedPrecondition));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "SOME_REASON");
  EXPECT_EQ(info.domain(), "backinstock.v1");
  EXPECT_EQ(info.metadata().at("k"), "v");
}

TEST(Errors, InvalidFieldAddsBadRequest) {
  grpc::Status wire = ToGrpcStatus(InvalidField("request.email", "must be an email"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(wire.error_details()));
  ASSERT_EQ(details.details_size(), 2);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(1).UnpackTo(&bad_request));
  EXPECT_EQ(bad_request.field_violations(0).field(), "request.email");
}

TEST(Errors, PlainStatusGetsAnErrorInfoNamedAfterItsCode) {
  grpc::Status wire = ToGrpcStatus(absl::InternalError("boom"));
  absl::Status back = FromGrpcStatus(wire);
  EXPECT_EQ(back.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ReasonOf(back), "INTERNAL");
  EXPECT_EQ(ReasonOf(FromGrpcStatus(ToGrpcStatus(absl::ResourceExhaustedError("x")))),
            "RESOURCE_EXHAUSTED");
}

TEST(Errors, RoundTrip) {
  absl::Status original = InvalidField("app_id", "bad", "INVALID_THING");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(original));
  EXPECT_EQ(back.code(), original.code());
  EXPECT_EQ(back.message(), original.message());
  EXPECT_EQ(ReasonOf(back), "INVALID_THING");
  EXPECT_EQ(BadRequestOf(back)->field_violations(0).field(), "app_id");
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(Errors, GarbageDetailsAreIgnored) {
  absl::Status back =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::INTERNAL, "m", "\xff\xff garbage"));
  EXPECT_EQ(back.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(ReasonOf(back), "");
}

TEST(Errors, QuotedBoundsAndEscapesHostileValues) {
  EXPECT_EQ(Quoted("abc"), "\"abc\"");
  EXPECT_EQ(Quoted(std::string("a\nb\0", 4)), "\"a\\nb\\x00\"");
  const std::string huge(100000, 'x');
  const std::string quoted = Quoted(huge);
  EXPECT_EQ(quoted, "\"" + std::string(64, 'x') + "...\"");
}

TEST(AuditLog, LineIsOneJsonObjectWithEveryField) {
  auth::AuditRecord record;
  record.time = absl::FromUnixSeconds(0);
  record.method = "/m";
  record.site = "s";
  record.caller_sub = "u\n\"quoted\"";
  record.caller_role = "visitor";
  record.elevated_by = "backend";
  record.jti = "j";
  record.code = "OK";
  const std::string line = auth::FormatAuditLine(record);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find(R"("elevated_by":"backend")"), std::string::npos);
  EXPECT_NE(line.find(R"("time":"1970-01-01T00:00:00.000Z")"), std::string::npos);
}

}  // namespace
}  // namespace backinstock::errors
