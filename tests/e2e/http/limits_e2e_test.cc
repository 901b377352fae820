// Hostile HTTP clients against the real server: oversized bodies and
// headers, malformed requests, a slowloris client, the connection cap and
// 2,000 idle connections. Each gets its HTTP status, and the server keeps
// answering (gRPC health and REST).
#include <gmock/gmock.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/e2e/http/front_fixture.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

constexpr char kSettings[] = "/v1/back-in-stock-notification-requests/settings";

bool HealthServing(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status =
      stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
  return status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

// Health over gRPC, and a REST call, both still answer.
void ExpectServing(FrontServer& server) {
  EXPECT_TRUE(HealthServing(server.channel()));
  HttpAnswer answer = Fetch("GET", server.Url(kSettings), AuthHeaders(As("limits", "visitor")));
  EXPECT_EQ(answer.status, 200) << answer.error << " " << answer.body;
}

TEST(HttpLimitsTest, OversizedMalformedAndSlowRequestsAreRefused) {
  auto server = FrontServer::Start(
      {"--max_message_bytes=4096", "--max_metadata_bytes=4096", "--http_request_timeout=1s"});
  ASSERT_NE(server, nullptr);

  // A body over the message limit: 413, announced by Content-Length...
  HttpAnswer huge = Fetch("POST", server->Url(absl::StrCat(kSettings, "/start-collecting")),
                          AuthHeaders(As("limits", "user")), std::string(64 << 10, 'x'), true);
  EXPECT_EQ(huge.status, 413) << huge.error << " " << huge.body;
  EXPECT_EQ(huge.Code(), "PAYLOAD_TOO_LARGE");
  EXPECT_FALSE(huge.Header("x-wix-request-id").empty());
  // ...or sent chunked without one.
  {
    const int fd = ConnectLoopback(server->http_port());
    ASSERT_GE(fd, 0);
    std::string chunked =
        "POST /v1/back-in-stock-notification-requests/query HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i)
      absl::StrAppend(&chunked, "400\r\n", std::string(1024, 'y'), "\r\n");
    SendAll(fd, chunked);
    EXPECT_EQ(StatusOf(ReadAnswer(fd, absl::Seconds(30))), 413);
    close(fd);
  }

  // Headers over the limit: 431.
  HttpAnswer big_headers =
      Fetch("GET", server->Url(kSettings), {"X-Padding: " + std::string(8 << 10, 'h')});
  EXPECT_EQ(big_headers.status, 431) << big_headers.error;
  EXPECT_EQ(big_headers.Code(), "HEADERS_TOO_LARGE");

  // Not HTTP at all: 400.
  {
    const int fd = ConnectLoopback(server->http_port());
    ASSERT_GE(fd, 0);
    SendAll(fd, "HELLO THERE\r\n\r\n");
    EXPECT_EQ(StatusOf(ReadAnswer(fd, absl::Seconds(30))), 400);
    close(fd);
  }

  // Slowloris: a request that never finishes is cut off with 408 once the
  // request timeout passes, while other clients are served meanwhile.
  {
    const int fd = ConnectLoopback(server->http_port());
    ASSERT_GE(fd, 0);
    SendAll(fd,
            "GET /v1/back-in-stock-notification-requests/settings HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    ExpectServing(*server);
    std::string answer;
    // Trickle a byte at a time; the server must give up on its own.
    ASSERT_TRUE(Eventually(
        [&] {
          SendAll(fd, "a");
          answer += ReadAnswer(fd, absl::Milliseconds(100));
          return StatusOf(answer) != 0;
        },
        absl::Seconds(60), absl::Milliseconds(200)));
    EXPECT_EQ(StatusOf(answer), 408) << answer;
    close(fd);
  }

  // Keep-alive: two requests on one connection.
  {
    const int fd = ConnectLoopback(server->http_port());
    ASSERT_GE(fd, 0);
    const std::string token = IdentityToken("limits", "visitor");
    const std::string get = absl::StrCat(
        "GET ", kSettings, " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ", token, "\r\n\r\n");
    ASSERT_TRUE(SendAll(fd, get));
    EXPECT_EQ(StatusOf(ReadAnswer(fd, absl::Seconds(30))), 200);
    ASSERT_TRUE(SendAll(fd, get));
    EXPECT_EQ(StatusOf(ReadAnswer(fd, absl::Seconds(30))), 200);
    close(fd);
  }
  ExpectServing(*server);
}

TEST(HttpLimitsTest, ConnectionsOverTheCapGet503) {
  auto server = FrontServer::Start({"--http_max_connections=4"});
  ASSERT_NE(server, nullptr);
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    const int fd = ConnectLoopback(server->http_port());
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  // The server counts a connection once it has accepted it: wait until a
  // fifth is refused.
  std::string refused;
  ASSERT_TRUE(Eventually([&] {
    const int fd = ConnectLoopback(server->http_port());
    if (fd < 0) return false;
    refused = ReadAnswer(fd, absl::Seconds(5));
    close(fd);
    return StatusOf(refused) == 503;
  }));
  EXPECT_THAT(refused, ::testing::HasSubstr("TOO_MANY_CONNECTIONS"));
  for (int fd : held) close(fd);
  // Once they are gone, new connections are served again.
  ASSERT_TRUE(Eventually([&] {
    return Fetch("GET", server->Url(kSettings), AuthHeaders(As("cap", "visitor"))).status == 200;
  }));
}

TEST(HttpLimitsTest, TwoThousandIdleConnectionsDoNotStopTheServer) {
  // The test and the server (which inherits the limit) each hold 2,000 sockets.
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 4096 && limit.rlim_max >= 4096) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 8192);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  if (limit.rlim_cur < 4096) GTEST_SKIP() << "needs 4096 file descriptors, has " << limit.rlim_cur;
  auto server = FrontServer::Start();
  ASSERT_NE(server, nullptr);
  std::vector<int> idle;
  for (int i = 0; i < 2000; ++i) {
    const int fd = ConnectLoopback(server->http_port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  ExpectServing(*server);
  for (int fd : idle) close(fd);
  ExpectServing(*server);
}

}  // namespace
}  // namespace backinstock::testing
