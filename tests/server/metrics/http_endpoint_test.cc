// The scrape endpoint over a real socket: GET /metrics, 404 elsewhere, 405
// for other methods, port 0, bad addresses.
#include "server/metrics/http_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>

#include "tests/support/metrics_client.h"

namespace backinstock::metrics {
namespace {

using ::testing::HasSubstr;

class HttpEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpEndpoint::Options options;
    options.listen = "127.0.0.1:0";
    options.page = [this] { return "scrape_number " + std::to_string(++scrapes_) + "\n"; };
    absl::StatusOr<std::unique_ptr<HttpEndpoint>> endpoint = HttpEndpoint::Start(options);
    ASSERT_TRUE(endpoint.ok()) << endpoint.status();
    endpoint_ = *std::move(endpoint);
  }

  std::atomic<int> scrapes_{0};
  std::unique_ptr<HttpEndpoint> endpoint_;
};

TEST_F(HttpEndpointTest, ServesThePageOnGetMetrics) {
  ASSERT_GT(endpoint_->port(), 0);
  absl::StatusOr<testing::HttpReply> reply =
      testing::HttpRequest(endpoint_->port(), "GET", "/metrics");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
  EXPECT_THAT(reply->headers, HasSubstr("text/plain; version=0.0.4"));
  EXPECT_EQ(reply->body, "scrape_number 1\n");
  // Rendered afresh on every scrape; a query string does not change the path.
  reply = testing::HttpRequest(endpoint_->port(), "GET", "/metrics?x=1");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->body, "scrape_number 2\n");
}

TEST_F(HttpEndpointTest, OtherPathsAreNotFound) {
  for (const char* path : {"/", "/metric", "/metrics/", "/favicon.ico", "/../metrics"}) {
    absl::StatusOr<testing::HttpReply> reply = testing::HttpRequest(endpoint_->port(), "GET", path);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 404) << path;
  }
  EXPECT_EQ(scrapes_.load(), 0);
}

TEST_F(HttpEndpointTest, OtherMethodsAreNotAllowed) {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    absl::StatusOr<testing::HttpReply> reply =
        testing::HttpRequest(endpoint_->port(), method, "/metrics");
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->status, 405) << method;
    EXPECT_THAT(reply->headers, HasSubstr("Allow: GET, HEAD"));
  }
  EXPECT_EQ(scrapes_.load(), 0);
}

TEST_F(HttpEndpointTest, GarbageIsRefusedAndServingGoesOn) {
  absl::StatusOr<testing::HttpReply> reply =
      testing::HttpRequest(endpoint_->port(), "GET", "no-slash\x01");
  // libmicrohttpd answers 400 or drops the connection; either way not a page.
  if (reply.ok()) {
    EXPECT_NE(reply->status, 200);
  }
  reply = testing::HttpRequest(endpoint_->port(), "GET", "/metrics");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 200);
}

TEST(HttpEndpointStartTest, RefusesAddressesThatDoNotParseOrResolve) {
  for (const char* listen : {"", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "127.0.0.1:-1",
                             "no.such.host.invalid:0"}) {
    HttpEndpoint::Options options;
    options.listen = listen;
    options.page = [] { return std::string(); };
    absl::StatusOr<std::unique_ptr<HttpEndpoint>> endpoint = HttpEndpoint::Start(options);
    EXPECT_EQ(endpoint.status().code(), absl::StatusCode::kInvalidArgument) << listen;
  }
}

TEST(HttpEndpointStartTest, APortInUseIsUnavailable) {
  HttpEndpoint::Options options;
  options.listen = "127.0.0.1:0";
  options.page = [] { return std::string(); };
  absl::StatusOr<std::unique_ptr<HttpEndpoint>> first = HttpEndpoint::Start(options);
  ASSERT_TRUE(first.ok());
  options.listen = "127.0.0.1:" + std::to_string((*first)->port());
  EXPECT_EQ(HttpEndpoint::Start(options).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace backinstock::metrics
