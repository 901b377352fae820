// The scrape endpoint (--metrics_listen): GET /metrics answers the page in the
// Prometheus text format; any other path is 404, any other method 405.
// Served by libmicrohttpd on one internal thread of its own, with a bound on
// connections and an idle timeout, so slow or numerous clients cannot take
// more than that thread from the server.
#ifndef BACKINSTOCK_SERVER_METRICS_HTTP_ENDPOINT_H_
#define BACKINSTOCK_SERVER_METRICS_HTTP_ENDPOINT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct MHD_Daemon;

namespace backinstock::metrics {

class HttpEndpoint {
 public:
  struct Options {
    // host:port ("[::1]:9464" for IPv6; port 0 picks a free port).
    std::string listen;
    // Renders the page; called on the endpoint's thread, once per scrape.
    std::function<std::string()> page;
    unsigned int max_connections = 16;
    absl::Duration idle_timeout = absl::Seconds(10);
  };

  // Binds and starts serving. INVALID_ARGUMENT for an address that does not
  // parse or resolve, UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(Options options);

  // Stops serving and joins the thread.
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // The bound port (the chosen one when asked for port 0).
  int port() const { return port_; }

 private:
  explicit HttpEndpoint(std::function<std::string()> page) : page_(std::move(page)) {}

  const std::function<std::string()> page_;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_HTTP_ENDPOINT_H_
