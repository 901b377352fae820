#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace backinstock::testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* out) {
  absl::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    auto* headers = static_cast<std::map<std::string, std::string>*>(out);
    (*headers)[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * count;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

curl_slist* HeaderList(const std::vector<std::string>& headers) {
  curl_slist* list = nullptr;
  // No "Expect: 100-continue" pause before bodies.
  list = curl_slist_append(list, "Expect:");
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  return list;
}

}  // namespace

nlohmann::json HttpAnswer::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpAnswer::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string HttpAnswer::Code() const {
  nlohmann::json json = Json();
  if (!json.is_object()) return "";
  const nlohmann::json* code = nullptr;
  auto details = json.find("details");
  if (details != json.end() && details->is_object()) {
    auto app = details->find("applicationError");
    if (app != details->end() && app->is_object() && app->contains("code")) code = &(*app)["code"];
  }
  return code != nullptr && code->is_string() ? code->get<std::string>() : "";
}

HttpAnswer Fetch(const std::string& method, const std::string& url,
                 const std::vector<std::string>& headers, const std::string& body, bool with_body) {
  static CurlGlobal global;
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_slist* list = HeaderList(headers);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (with_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  }
  const CURLcode result = curl_easy_perform(curl);
  if (result == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  } else {
    answer.error = curl_easy_strerror(result);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return answer;
}

SseReader::SseReader(const std::string& url, const std::vector<std::string>& headers) {
  thread_ = std::thread([this, url, headers] {
    static CurlGlobal global;
    CURL* curl = curl_easy_init();
    std::vector<std::string> all = headers;
    all.push_back("Accept: text/event-stream");
    curl_slist* list = HeaderList(all);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION,
        +[](char* data, size_t size, size_t count, void* self) -> size_t {
          auto* reader = static_cast<SseReader*>(self);
          absl::MutexLock lock(&reader->mu_);
          reader->raw_.append(data, size * count);
          return size * count;
        });
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(
        curl, CURLOPT_XFERINFOFUNCTION,
        +[](void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
          return static_cast<SseReader*>(self)->stop_.load() ? 1 : 0;
        });
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, this);
    curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    absl::MutexLock lock(&mu_);
    status_ = status;
    finished_ = true;
  });
}

SseReader::~SseReader() {
  stop_ = true;
  thread_.join();
}

std::vector<nlohmann::json> SseReader::Events() {
  std::vector<nlohmann::json> events;
  for (absl::string_view line : absl::StrSplit(Raw(), '\n')) {
    if (absl::ConsumePrefix(&line, "data: ")) {
      events.push_back(nlohmann::json::parse(line, nullptr, false));
    }
  }
  return events;
}

std::string SseReader::Raw() {
  absl::MutexLock lock(&mu_);
  return raw_;
}

long SseReader::status() {
  absl::MutexLock lock(&mu_);
  return status_;
}

bool SseReader::finished() {
  absl::MutexLock lock(&mu_);
  return finished_;
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string ReadAnswer(int fd, absl::Duration timeout) {
  std::string out;
  const absl::Time deadline = absl::Now() + timeout;
  char buffer[4096];
  for (;;) {
    const size_t head_end = out.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      size_t length = 0;
      const std::string head = absl::AsciiStrToLower(out.substr(0, head_end));
      const size_t at = head.find("content-length:");
      if (at != std::string::npos &&
          absl::SimpleAtoi(
              absl::StripAsciiWhitespace(head.substr(at + 15, head.find("\r\n", at) - at - 15)),
              &length) &&
          out.size() >= head_end + 4 + length) {
        return out;
      }
    }
    const int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait_ms <= 0) return out;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0) return out;
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

int StatusOf(const std::string& raw) {
  int status = 0;
  if (raw.size() < 12 || !absl::StartsWith(raw, "HTTP/1.")) return 0;
  if (!absl::SimpleAtoi(raw.substr(9, 3), &status)) return 0;
  return status;
}

}  // namespace backinstock::testing
