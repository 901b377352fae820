// HTTP for the front's tests: libcurl for ordinary requests and
// Server-Sent Events, raw sockets for clients that misbehave on purpose.
#ifndef BACKINSTOCK_TESTS_SUPPORT_HTTP_CLIENT_H_
#define BACKINSTOCK_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace backinstock::testing {

struct HttpAnswer {
  long status = 0;                             // 0: no answer (the transfer failed; see `error`)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string error;

  nlohmann::json Json() const;
  std::string Header(const std::string& name) const;
  // details.applicationError.code of an error answer.
  std::string Code() const;
};

// One request; `body` is sent when `with_body` (an empty body still has
// Content-Length: 0). `headers` are "Name: value" lines.
HttpAnswer Fetch(const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers = {}, const std::string& body = "",
                 bool with_body = false);

// A GET that reads Server-Sent Events in the background until stopped.
class SseReader {
 public:
  SseReader(const std::string& url, const std::vector<std::string>& headers);
  ~SseReader();  // stops and joins

  // The JSON of every `data:` line so far.
  std::vector<nlohmann::json> Events();
  // Everything received so far (headers are not included).
  std::string Raw();
  long status();
  bool finished();

 private:
  absl::Mutex mu_;
  std::string raw_ ABSL_GUARDED_BY(mu_);
  long status_ ABSL_GUARDED_BY(mu_) = 0;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Raw TCP to 127.0.0.1:port; -1 when the connection fails.
int ConnectLoopback(int port);
bool SendAll(int fd, const std::string& bytes);
// Reads until the peer closes, `timeout` passes, or a full HTTP head and
// Content-Length body arrived. Returns what was read.
std::string ReadAnswer(int fd, absl::Duration timeout);
// The status code of a raw HTTP answer ("HTTP/1.1 413 ..." -> 413), or 0.
int StatusOf(const std::string& raw);

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_HTTP_CLIENT_H_
