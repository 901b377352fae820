#include "backinstock/client/channel.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "client/src/service_config.h"

namespace backinstock::client {
namespace {

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(const ConnectionOptions& options) {
  if (!options.tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = options.tls->root_certs_pem;
  ssl.pem_cert_chain = options.tls->client_cert_chain_pem;
  ssl.pem_private_key = options.tls->client_key_pem;
  return grpc::SslCredentials(ssl);
}

}  // namespace

std::shared_ptr<grpc::Channel> MakeChannel(const ConnectionOptions& options) {
  grpc::ChannelArguments arguments = options.channel_arguments;
  arguments.SetServiceConfigJSON(internal::RetryServiceConfig(options.retry));
  if (options.tls && !options.tls->server_name_override.empty()) {
    arguments.SetSslTargetNameOverride(options.tls->server_name_override);
  }
  return grpc::CreateCustomChannel(options.target, ChannelCredentials(options), arguments);
}

}  // namespace backinstock::client
