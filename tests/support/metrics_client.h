// A few lines of HTTP/1.1 over a loopback socket, enough to scrape /metrics
// and query Prometheus in tests without another library; plus the page parser
// the tests compare scrapes with.
#ifndef BACKINSTOCK_TESTS_SUPPORT_METRICS_CLIENT_H_
#define BACKINSTOCK_TESTS_SUPPORT_METRICS_CLIENT_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace backinstock::testing {

struct HttpReply {
  int status = 0;
  std::string headers;  // the header block, lines as received
  std::string body;
};

// Sends one request with "Connection: close" to 127.0.0.1:`port` and reads the
// whole reply (bodies are read to the end of the connection).
absl::StatusOr<HttpReply> HttpRequest(int port, const std::string& method,
                                      const std::string& target);

// Every sample of a text-format page, keyed by everything before its value
// (`name{labels}` exactly as written); comment lines are skipped.
std::map<std::string, double> ParsePage(const std::string& page);

// A loopback port nobody listened on a moment ago (for programs that cannot
// be told port 0 and report the one they got).
absl::StatusOr<int> FreePort();

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_METRICS_CLIENT_H_
