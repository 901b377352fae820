// TLS and mutual TLS by configuration, with certificates made at test time,
// and the transport limits: each exceeded limit gives a clear status while
// the server keeps serving everyone else.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <memory>

#include "backinstock/v1/settings.grpc.pb.h"
#include "tests/e2e/transport/certificates.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

// A channel on a connection of its own (channels with equal arguments share
// connections otherwise).
std::shared_ptr<grpc::Channel> OwnConnection(const TestServer& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(server.address(), grpc::InsecureChannelCredentials(), args);
}

grpc::Status GetSettings(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::BackInStockSettingsService::NewStub(channel);
  grpc::ClientContext context;
  Authorize(context, IdentityToken("tls-site", "user"));
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::GetSettingsResponse response;
  return stub->GetSettings(&context, v1::GetSettingsRequest(), &response);
}

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Certificates> certs = MakeCertificates(dir_);
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = *certs;
  }

  runtime::ServerConfig TlsConfig(bool mutual) const {
    runtime::ServerConfig config = TestConfig();
    config.tls_cert_file = certs_.server_cert;
    config.tls_key_file = certs_.server_key;
    if (mutual) config.tls_client_ca_file = certs_.ca_cert;
    return config;
  }

  std::shared_ptr<grpc::Channel> TlsChannel(const TestServer& server, const std::string& cert = "",
                                            const std::string& key = "") const {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ReadBytes(certs_.ca_cert);
    options.pem_cert_chain = cert;
    options.pem_private_key = key;
    return grpc::CreateChannel(server.address(), grpc::SslCredentials(options));
  }

  TempDir dir_{"tls"};
  Certificates certs_;
};

TEST_F(TransportTest, TlsServesTlsClientsAndRefusesPlaintext) {
  TestServer server(TlsConfig(/*mutual=*/false));
  EXPECT_TRUE(GetSettings(TlsChannel(server)).ok());
  const grpc::Status plaintext = GetSettings(OwnConnection(server));
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << plaintext.error_message();
  EXPECT_TRUE(GetSettings(TlsChannel(server)).ok()) << "still serving after the refusal";
}

TEST_F(TransportTest, MutualTlsRefusesClientsWithoutATrustedCertificate) {
  TestServer server(TlsConfig(/*mutual=*/true));
  EXPECT_TRUE(GetSettings(TlsChannel(server, certs_.client_cert, certs_.client_key)).ok());
  const grpc::Status anonymous = GetSettings(TlsChannel(server));
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAVAILABLE) << anonymous.error_message();
  const grpc::Status rogue = GetSettings(TlsChannel(server, certs_.rogue_cert, certs_.rogue_key));
  EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE) << rogue.error_message();
  const grpc::Status plaintext = GetSettings(OwnConnection(server));
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(GetSettings(TlsChannel(server, certs_.client_cert, certs_.client_key)).ok());
}

TEST(Limits, AnOversizedMessageIsResourceExhaustedAndOthersAreServed) {
  runtime::ServerConfig config = TestConfig();
  config.max_message_bytes = 4096;
  TestServer server(config);
  auto stub = v1::BackInStockSettingsService::NewStub(server.channel());
  grpc::ClientContext context;
  Authorize(context, IdentityToken("limits", "user"));
  v1::StartCollectingRequestsRequest request;
  request.set_app_id(std::string(8192, 'a'));
  v1::StartCollectingRequestsResponse response;
  const grpc::Status status = stub->StartCollectingRequests(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_TRUE(GetSettings(server.channel()).ok()) << "the same connection keeps working";
}

TEST(Limits, OversizedMetadataIsRefusedAndOthersAreServed) {
  runtime::ServerConfig config = TestConfig();
  config.max_metadata_bytes = 2048;
  TestServer server(config);
  // The refused call goes on a connection of its own: after refusing an
  // over-limit header block gRPC may close that connection, and a next call
  // on it would race the close. Other connections must not notice.
  ASSERT_TRUE(GetSettings(server.channel()).ok());
  auto stub = v1::BackInStockSettingsService::NewStub(OwnConnection(server));
  grpc::ClientContext context;
  Authorize(context, IdentityToken("limits", "user"));
  context.AddMetadata("x-padding", std::string(8192, 'p'));
  v1::GetSettingsResponse response;
  const grpc::Status status = stub->GetSettings(&context, v1::GetSettingsRequest(), &response);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_TRUE(GetSettings(server.channel()).ok()) << "an open connection keeps working";
  EXPECT_TRUE(GetSettings(OwnConnection(server)).ok()) << "new connections are served";
}

TEST(Limits, ConcurrentStreamsPerConnectionAreCappedWithoutStarvingOthers) {
  runtime::ServerConfig config = TestConfig();
  config.max_concurrent_streams = 2;
  TestServer server(config);
  auto stub = v1::BackInStockSettingsService::NewStub(server.channel());
  // Two watches fill the connection's streams.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchSettingsResponse>>> watches;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    Authorize(*contexts.back(), IdentityToken("streams", "user"));
    watches.push_back(stub->WatchSettings(contexts.back().get(), v1::WatchSettingsRequest()));
    v1::WatchSettingsResponse first;
    ASSERT_TRUE(watches.back()->Read(&first));
  }
  // A third call on that connection waits for a free stream: with a deadline
  // it ends DEADLINE_EXCEEDED, never running on the server.
  {
    grpc::ClientContext context;
    Authorize(context, IdentityToken("streams", "user"));
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    v1::GetSettingsResponse response;
    const grpc::Status status = stub->GetSettings(&context, v1::GetSettingsRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  }
  // Other connections are served meanwhile.
  EXPECT_TRUE(GetSettings(OwnConnection(server)).ok());
  // Ending one watch frees a stream for the first connection.
  contexts[0]->TryCancel();
  v1::WatchSettingsResponse ignored;
  while (watches[0]->Read(&ignored)) {
  }
  EXPECT_EQ(watches[0]->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_TRUE(GetSettings(server.channel()).ok());
  contexts[1]->TryCancel();
  while (watches[1]->Read(&ignored)) {
  }
  watches[1]->Finish();
}

}  // namespace
}  // namespace backinstock::testing
