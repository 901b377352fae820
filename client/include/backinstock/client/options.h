// How a client reaches the service: the target, transport security, the
// caller's tokens, deadlines and the retry policy. Plain structs: copy them,
// change a field, make another connection.
#ifndef BACKINSTOCK_CLIENT_OPTIONS_H_
#define BACKINSTOCK_CLIENT_OPTIONS_H_

#include <grpcpp/support/channel_arguments.h>

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace backinstock::client {

// Transport security. Without it the channel is plaintext (local use only:
// tokens then travel in clear).
struct TlsOptions {
  // PEM roots that verify the server's certificate; empty: the system roots.
  std::string root_certs_pem;
  // For mutual TLS: the client's certificate chain and private key (PEM). Both
  // or neither.
  std::string client_cert_chain_pem;
  std::string client_key_pem;
  // Checks the server's certificate against this name instead of the target's
  // host (for example when connecting by IP address). Empty: the target's host.
  std::string server_name_override;
};

// Retries of idempotent calls that failed with UNAVAILABLE, carried out by
// gRPC itself through the channel's service config. gRPC caps attempts at 5
// and jitters each backoff by +-20%.
struct RetryPolicy {
  int max_attempts = 5;  // including the first; 1 disables retries
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  double backoff_multiplier = 2.0;
};

struct ConnectionOptions {
  // Where the server listens: "host:port" or any gRPC target URI.
  std::string target = "127.0.0.1:50051";

  // Unset: plaintext.
  std::optional<TlsOptions> tls;

  // Sent with every call as `authorization: Bearer <identity_token>`; a call
  // may override it (CallOptions::identity_token).
  std::string identity_token;

  // Sent with every call as `x-elevation-token` when not empty. Elevation
  // tokens live at most 300 s, so most callers pass one per call instead
  // (CallOptions::elevation_token).
  std::string elevation_token;

  // Deadline of unary calls that set none. Streams have no default deadline:
  // they run until cancelled.
  absl::Duration default_deadline = absl::Seconds(30);

  RetryPolicy retry;

  // Extra channel arguments (keepalive, reconnect backoff, message sizes...).
  // The service config that carries the retry policy is added on top.
  grpc::ChannelArguments channel_arguments;
};

// Per-call settings; unset fields fall back to the connection's.
struct CallOptions {
  std::optional<absl::Duration> deadline;
  std::optional<std::string> identity_token;
  std::optional<std::string> elevation_token;
};

}  // namespace backinstock::client

#endif  // BACKINSTOCK_CLIENT_OPTIONS_H_
