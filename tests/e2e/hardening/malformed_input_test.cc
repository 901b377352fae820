// Bad input never brings the server down: malformed protobuf bytes sent to
// every method of our services through a generic stub, oversized messages,
// oversized and binary metadata. Each gets a clear status, and the server
// still answers health checks afterwards.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/email.grpc.pb.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

// Byte strings that are not a valid encoding of any message.
std::vector<std::string> MalformedPayloads() {
  return {
      std::string("\x0a\xff\xff\xff\xff\x0f", 6),  // field 1, length far past the end
      std::string("\x0f", 1),                      // wire type 7 does not exist
      std::string(11, '\xff'),                     // a varint that never ends
      std::string("\x0a\x05\x01\x02", 4),          // length 5, two bytes follow
      std::string("\x00", 1),                      // field number 0
  };
}

struct Method {
  std::string path;  // "/package.Service/Method"
  bool server_streaming = false;
};

// Every method of our services, as the contract (the protos) lists them.
std::vector<Method> EveryMethod() {
  // Naming a message of each file keeps its descriptors linked in.
  (void)v1::GetSettingsRequest::descriptor();
  (void)v1::GetBackInStockNotificationRequestRequest::descriptor();
  (void)v1::GetEmailTemplateRequest::descriptor();
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  std::vector<Method> methods;
  for (const google::protobuf::ServiceDescriptor* service :
       {pool->FindServiceByName("backinstock.v1.BackInStockSettingsService"),
        pool->FindServiceByName("backinstock.v1.BackInStockNotificationRequestService"),
        pool->FindServiceByName("backinstock.v1.BackInStockEmailService")}) {
    if (service == nullptr) return {};
    for (int i = 0; i < service->method_count(); ++i) {
      methods.push_back({"/" + service->full_name() + "/" + service->method(i)->name(),
                         service->method(i)->server_streaming()});
    }
  }
  return methods;
}

grpc::ByteBuffer Buffer(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());
  return grpc::ByteBuffer(&slice, 1);
}

grpc::Status RawCall(grpc::GenericStub& stub, const std::string& method, const std::string& bytes,
                     const std::vector<std::pair<std::string, std::string>>& metadata) {
  grpc::ClientContext context;
  for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  const grpc::ByteBuffer request = Buffer(bytes);
  grpc::ByteBuffer response;
  absl::Mutex mu;
  bool done = false;
  grpc::Status result;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status status) {
                   absl::MutexLock lock(&mu);
                   result = std::move(status);
                   done = true;
                 });
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(&done));
  return result;
}

bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::health::v1::HealthCheckResponse response;
  return health->Check(&context, grpc::health::v1::HealthCheckRequest(), &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

std::vector<std::pair<std::string, std::string>> AppCaller() {
  return {{"authorization", "Bearer " + IdentityToken("malformed", "app")}};
}

// The methods this build serves: a service of the contract that is not
// registered answers UNIMPLEMENTED to everything, and is left out. The
// settings service must always be there.
std::vector<Method> ServedMethods(grpc::GenericStub& stub) {
  std::vector<Method> served;
  for (const Method& method : EveryMethod()) {
    // An empty message is a valid request of every method; without a token
    // a served method refuses it as UNAUTHENTICATED.
    if (RawCall(stub, method.path, "", {}).error_code() != grpc::StatusCode::UNIMPLEMENTED) {
      served.push_back(method);
    }
  }
  return served;
}

TEST(MalformedInput, GarbageBytesToEveryMethodGetAClearStatus) {
  TestServer server;
  grpc::GenericStub stub(server.channel());
  ASSERT_GE(EveryMethod().size(), 16u);
  const std::vector<Method> methods = ServedMethods(stub);
  ASSERT_EQ(methods.size(), EveryMethod().size());
  // gRPC 1.51 itself would answer UNIMPLEMENTED with no message; the auth
  // interceptor turns that into INVALID_ARGUMENT naming the request type, or
  // into the authorization error for a caller who is not authorized.
  for (const Method& method : methods) {
    for (const std::string& payload : MalformedPayloads()) {
      const absl::Status status =
          errors::FromGrpcStatus(RawCall(stub, method.path, payload, AppCaller()));
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << method.path << ": " << status;
      EXPECT_EQ(errors::ReasonOf(status), "MALFORMED_REQUEST") << method.path;
      EXPECT_NE(status.message().find("backinstock.v1."), absl::string_view::npos) << status;
    }
    const absl::Status anonymous =
        errors::FromGrpcStatus(RawCall(stub, method.path, MalformedPayloads()[0], {}));
    EXPECT_EQ(anonymous.code(), absl::StatusCode::kUnauthenticated) << method.path;
    EXPECT_EQ(errors::ReasonOf(anonymous), "TOKEN_MISSING") << method.path;
  }
  EXPECT_TRUE(Serving(server.channel()));
}

TEST(MalformedInput, RandomBytesNeverCrashTheServer) {
  TestServer server;
  grpc::GenericStub stub(server.channel());
  std::mt19937 random(42);
  std::vector<Method> methods;
  for (const Method& method : ServedMethods(stub)) {
    // Random bytes may well parse; a stream would then stay open.
    if (!method.server_streaming) methods.push_back(method);
  }
  ASSERT_FALSE(methods.empty());
  for (int i = 0; i < 400; ++i) {
    std::string bytes(random() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    // Any status is acceptable here; the server must simply go on.
    RawCall(stub, methods[i % methods.size()].path, bytes, AppCaller());
  }
  EXPECT_TRUE(Serving(server.channel()));
}

TEST(MalformedInput, OversizedMessagesAreResourceExhausted) {
  runtime::ServerConfig config = TestConfig();
  config.max_message_bytes = 64 << 10;
  TestServer server(config);
  grpc::GenericStub stub(server.channel());
  for (const Method& method : ServedMethods(stub)) {
    const grpc::Status status =
        RawCall(stub, method.path, std::string(128 << 10, '\x0a'), AppCaller());
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << method.path << ": " << status.error_message();
  }
  EXPECT_TRUE(Serving(server.channel()));
}

TEST(MalformedInput, OversizedAndBinaryMetadata) {
  TestServer server;  // default 16 KiB metadata bound
  grpc::GenericStub stub(server.channel());
  const std::string method = "/backinstock.v1.BackInStockSettingsService/GetSettings";

  // A token over the verifier's own limit but within the metadata bound.
  const grpc::Status long_token =
      RawCall(stub, method, "", {{"authorization", "Bearer " + std::string(10 << 10, 'a')}});
  EXPECT_EQ(long_token.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << long_token.error_message();

  // Binary metadata of any bytes (and a binary authorization header, which is
  // not a token) do not confuse the server.
  std::string noise(256, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>(i);
  auto with_noise = AppCaller();
  with_noise.emplace_back("x-noise-bin", noise);
  EXPECT_TRUE(RawCall(stub, method, "", with_noise).ok());
  const grpc::Status binary_auth = RawCall(stub, method, "", {{"authorization-bin", noise}});
  EXPECT_EQ(binary_auth.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << binary_auth.error_message();

  // Calls over the bound each get a connection of their own: after refusing
  // one, gRPC may also drop the connection it came on, and a later call on a
  // shared connection would race that teardown.
  auto own_connection = [&server] {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args);
  };

  // Over the bound (16 KiB): the call is refused before any handler runs.
  grpc::GenericStub over_stub(own_connection());
  const grpc::Status over =
      RawCall(over_stub, method, "", {{"authorization", "Bearer " + std::string(17 << 10, 'a')}});
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << over.error_message();

  // Many small headers adding up past the bound.
  auto many = AppCaller();
  for (int i = 0; i < 170; ++i) many.emplace_back("x-h" + std::to_string(i), std::string(64, 'v'));
  grpc::GenericStub many_stub(own_connection());
  EXPECT_EQ(RawCall(many_stub, method, "", many).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Far over the bound (past gRPC's hard limit of 1.25 times it), on a
  // connection of its own: the server drops that connection.
  grpc::GenericStub own(own_connection());
  const grpc::Status huge =
      RawCall(own, method, "", {{"authorization", "Bearer " + std::string(64 << 10, 'a')}});
  EXPECT_TRUE(huge.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
              huge.error_code() == grpc::StatusCode::UNAVAILABLE)
      << huge.error_code() << " " << huge.error_message();

  // Everyone else is still served.
  EXPECT_TRUE(Serving(server.channel()));
  EXPECT_TRUE(RawCall(stub, method, "", AppCaller()).ok());
}

}  // namespace
}  // namespace backinstock::testing
