// Deny by default, proven from the descriptors: every method of every service
// in our proto files is called (through a generic stub, so no method can be
// left out) and must refuse a caller without a token. Infrastructure services
// (health, reflection) stay public.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/support/raw_call.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

std::vector<std::string> AllMethodPaths() {
  std::vector<std::string> paths;
  for (const auto* file : {v1::GetSettingsRequest::descriptor()->file(),
                           v1::GetBackInStockNotificationRequestRequest::descriptor()->file(),
                           v1::GetEmailTemplateRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        paths.push_back(absl::StrCat("/", service->full_name(), "/", service->method(m)->name()));
      }
    }
  }
  return paths;
}

TEST(Gating, EveryMethodOfEveryServiceRefusesCallsWithoutToken) {
  TestServer server;
  grpc::GenericStub stub(server.channel());
  const std::vector<std::string> paths = AllMethodPaths();
  ASSERT_EQ(paths.size(), 18u);
  for (const std::string& path : paths) {
    absl::Status status = CallRaw(stub, path, {});
    EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << path << ": " << status;
    EXPECT_EQ(errors::ReasonOf(status), "TOKEN_MISSING") << path;
  }
}

TEST(Gating, EveryMethodRefusesForgedTokens) {
  TestServer server;
  grpc::GenericStub stub(server.channel());
  const std::string forged = Sign(kIdentityKid, "forged-secret-forged-secret-forged-secret",
                                  IdentityClaimsJson("s", "user"));
  for (const std::string& path : AllMethodPaths()) {
    absl::Status status = CallRaw(stub, path, {{"authorization", "Bearer " + forged}});
    EXPECT_EQ(errors::ReasonOf(status), "TOKEN_INVALID") << path << ": " << status;
  }
}

TEST(Gating, UnknownMethodsOfOurServicesAreUnimplemented) {
  TestServer server;
  grpc::GenericStub stub(server.channel());
  absl::Status status = CallRaw(stub, "/backinstock.v1.BackInStockSettingsService/DropEverything",
                                {{"authorization", "Bearer " + IdentityToken("s", "user")}});
  EXPECT_EQ(status.code(), absl::StatusCode::kUnimplemented) << status;
}

TEST(Infrastructure, HealthIsPublicAndServing) {
  TestServer server;
  auto health = grpc::health::v1::Health::NewStub(server.channel());
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, grpc::health::v1::HealthCheckRequest(), &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

std::vector<std::string> ListServices(const std::shared_ptr<grpc::Channel>& channel,
                                      grpc::Status* final_status) {
  namespace refl = grpc::reflection::v1alpha;
  auto stub = refl::ServerReflection::NewStub(channel);
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);
  refl::ServerReflectionRequest request;
  request.set_list_services("*");
  std::vector<std::string> names;
  if (stream->Write(request)) {
    refl::ServerReflectionResponse response;
    if (stream->Read(&response)) {
      for (const auto& service : response.list_services_response().service()) {
        names.push_back(service.name());
      }
    }
  }
  stream->WritesDone();
  *final_status = stream->Finish();
  return names;
}

TEST(Infrastructure, ReflectionListsAndDescribesEveryService) {
  TestServer server;
  grpc::Status status;
  std::vector<std::string> names = ListServices(server.channel(), &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  for (const char* expected : {"backinstock.v1.BackInStockSettingsService",
                               "backinstock.v1.BackInStockNotificationRequestService",
                               "backinstock.v1.BackInStockEmailService", "grpc.health.v1.Health"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }

  namespace refl = grpc::reflection::v1alpha;
  auto stub = refl::ServerReflection::NewStub(server.channel());
  for (const char* symbol : {"backinstock.v1.BackInStockSettingsService",
                             "backinstock.v1.BackInStockEmailService", "grpc.health.v1.Health"}) {
    grpc::ClientContext context;
    auto stream = stub->ServerReflectionInfo(&context);
    refl::ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    ASSERT_TRUE(stream->Write(request));
    refl::ServerReflectionResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0) << symbol;
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
}

TEST(Infrastructure, ReflectionCanBeTurnedOff) {
  runtime::ServerConfig config = TestConfig();
  config.reflection = false;
  TestServer server(config);
  grpc::Status status;
  ListServices(server.channel(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace backinstock::testing
