#include "client/src/call_context.h"

#include <grpcpp/security/credentials.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/time/clock.h"

namespace backinstock::client::internal {
namespace {

// Adds the tokens to the call's metadata. Call credentials (rather than plain
// metadata) are gRPC's place for secrets: they are applied per attempt, so
// retries carry them too, and are refused on channels less secure than asked.
class TokenPlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  TokenPlugin(std::string identity_token, std::string elevation_token)
      : identity_token_(std::move(identity_token)), elevation_token_(std::move(elevation_token)) {}

  // Only copies strings: no need for gRPC's blocking-plugin thread pool.
  bool IsBlocking() const override { return false; }
  const char* GetType() const override { return "backinstock-tokens"; }

  grpc::Status GetMetadata(grpc::string_ref, grpc::string_ref, const grpc::AuthContext&,
                           std::multimap<std::string, std::string>* metadata) override {
    if (!identity_token_.empty()) metadata->emplace("authorization", "Bearer " + identity_token_);
    if (!elevation_token_.empty()) metadata->emplace("x-elevation-token", elevation_token_);
    return grpc::Status::OK;
  }

 private:
  const std::string identity_token_;
  const std::string elevation_token_;
};

}  // namespace

void PrepareContext(grpc::ClientContext& context, const ConnectionOptions& connection,
                    const CallOptions& call, CallKind kind) {
  if (call.deadline) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + *call.deadline));
  } else if (kind == CallKind::kUnary) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + connection.default_deadline));
  }

  std::string identity = call.identity_token.value_or(connection.identity_token);
  std::string elevation = call.elevation_token.value_or(connection.elevation_token);
  if (identity.empty() && elevation.empty()) return;
  // A plaintext channel is the user's explicit choice (ConnectionOptions::tls
  // unset, local development); over TLS the tokens require privacy.
  const grpc_security_level level =
      connection.tls ? GRPC_PRIVACY_AND_INTEGRITY : GRPC_SECURITY_NONE;
  context.set_credentials(grpc::experimental::MetadataCredentialsFromPlugin(
      std::make_unique<TokenPlugin>(std::move(identity), std::move(elevation)), level));
}

}  // namespace backinstock::client::internal
