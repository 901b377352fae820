// An HTTP/1.1 server (Boost.Beast) with keep-alive and the limits a public
// listener needs: body and header size, idle and slow-request timeouts, a cap
// on open connections. It knows nothing of gRPC: each complete request goes to
// a handler, which answers through its Exchange, at once or later, from any
// thread, with one response or a chunked stream (Server-Sent Events).
#ifndef BACKINSTOCK_SERVER_HTTP_HTTP_SERVER_H_
#define BACKINSTOCK_SERVER_HTTP_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace backinstock::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // as sent: "GET", "POST", ...
  std::string target;  // path and query string
  Headers headers;     // names in lower case, in arrival order
  std::string body;

  // The value of the only header named `name` (lower case); empty when the
  // header is absent. `count` (optional) receives how many there were.
  std::string Header(absl::string_view name, int* count = nullptr) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
};

// One request being answered. Every method may be called from any thread.
class Exchange {
 public:
  virtual ~Exchange() = default;
  // Sends a complete response; the connection then reads its next request.
  virtual void Respond(HttpResponse response) = 0;
  // Sends `head` (its body is ignored) and keeps the response open, chunked.
  virtual void BeginStream(HttpResponse head) = 0;
  // Sends one chunk of a stream; `written` runs once it is on the wire (or
  // the connection is gone), so a producer can wait before the next one.
  virtual void Send(std::string chunk, std::function<void()> written) = 0;
  // Ends the stream (last chunk); the connection then reads its next request.
  virtual void EndStream() = 0;
  // Runs `closed` once when the client closes the connection while a stream
  // is open (or at once if it has already gone).
  virtual void OnClientGone(std::function<void()> closed) = 0;
};

using Handler = std::function<void(HttpRequest request, std::shared_ptr<Exchange> exchange)>;

// The answer to a request refused before it reached the handler (413, 431,
// 408, 400, 503): status, a stable error code and a message.
using ErrorResponder =
    std::function<HttpResponse(int status, absl::string_view code, absl::string_view message)>;

struct HttpServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port; port 0 picks a free one
  int threads = 2;
  size_t max_body_bytes = 1 << 20;     // larger: 413
  size_t max_header_bytes = 16 << 10;  // request line and headers; larger: 431
  // A connection with no request under way is closed after this.
  absl::Duration idle_timeout = absl::Seconds(60);
  // A request must arrive whole within this once its first byte has (408
  // otherwise); also bounds writing a response to a client that reads slowly.
  absl::Duration request_timeout = absl::Seconds(10);
  // Connections beyond this get 503 and are closed.
  int max_connections = 10000;
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           Handler handler, ErrorResponder errors);
  virtual ~HttpServer() = default;

  virtual int port() const = 0;
  // Stops accepting connections; those open keep being served.
  virtual void StopAccepting() = 0;
  // Closes every connection and joins the threads. The handler must have
  // answered (or dropped) every exchange it was given. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace backinstock::http

#endif  // BACKINSTOCK_SERVER_HTTP_HTTP_SERVER_H_
