// The running service: every component wired together, the way main and the
// end-to-end tests start it.
#ifndef BACKINSTOCK_SERVER_RUNTIME_SERVER_H_
#define BACKINSTOCK_SERVER_RUNTIME_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/runtime/server_config.h"

namespace backinstock::runtime {

class Server {
 public:
  // Builds every component, binds the listening port and starts serving.
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerConfig config);
  virtual ~Server() = default;

  // The bound port (the one chosen when listening on port 0).
  virtual int port() const = 0;
  // The bound port of --metrics_listen; 0 when metrics are off.
  virtual int metrics_port() const { return 0; }
  // The bound port of the HTTP front (0 when it is off).
  virtual int http_port() const = 0;
  // Where notification emails go: "smtp://host:port" (the relay) or the
  // Maildir's path.
  virtual std::string mail_destination() const = 0;

  // Graceful shutdown: health turns NOT_SERVING, streams end with OK, calls in
  // flight get up to the configured grace period, then whatever is left is
  // cancelled. Idempotent.
  virtual void Shutdown() = 0;

  // Blocks until the server has shut down.
  virtual void Wait() = 0;

  // Re-reads the keys file (SIGHUP); the old keys stay if the new file is bad.
  virtual absl::Status ReloadKeys() = 0;
};

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_SERVER_H_
