// The HTTP/JSON front (docs/decisions.md, "HTTP/JSON front"): Wix's REST paths, verbs and error
// envelope over the same gRPC services, served bare and under /back-in-stock-service. Routes come
// from the RPCs' google.api.http annotations; each REST call is forwarded in process to the gRPC
// server with its credential headers; server streams are served as Server-Sent Events; CORS for
// listed origins.
#ifndef BACKINSTOCK_SERVER_HTTP_HTTP_FRONT_H_
#define BACKINSTOCK_SERVER_HTTP_HTTP_FRONT_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "server/http/http_server.h"

namespace backinstock::http {

struct HttpFrontOptions {
  HttpServerOptions server;
  // Exact origins (scheme://host[:port]) whose pages may call the front with
  // credentials; empty: no cross-origin access.
  std::vector<std::string> cors_origins;
};

class HttpFront {
 public:
  // Serves the annotated methods of `services` that are in `served` (those
  // the gRPC server registered), forwarding to `channel` (the server's
  // in-process channel); the others answer 501.
  static absl::StatusOr<std::unique_ptr<HttpFront>> Start(
      HttpFrontOptions options, std::shared_ptr<grpc::Channel> channel,
      const std::vector<const google::protobuf::ServiceDescriptor*>& services,
      const absl::flat_hash_set<std::string>& served);
  virtual ~HttpFront() = default;

  virtual int port() const = 0;
  // First step of a shutdown: no new connections.
  virtual void StopAccepting() = 0;
  // Once the gRPC server has shut down (so every forwarded call ends): waits
  // for their answers, then closes every connection. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace backinstock::http

#endif  // BACKINSTOCK_SERVER_HTTP_HTTP_FRONT_H_
