// HttpServer::Stop while clients are closing their connections: a session
// whose last reference Stop holds must not be destroyed under Stop's lock
// (its destructor takes the same lock). Each round opens keep-alive
// connections, then closes them from the client side while Stop runs; a
// deadlock shows as a Stop that never returns.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "server/http/http_server.h"

namespace backinstock::http {
namespace {

constexpr int kRounds = 40;
constexpr int kConnections = 24;

// A connected loopback socket that has had one request answered, so that the
// server holds a live keep-alive session for it.
int ConnectAndAsk(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string request = "GET /ping HTTP/1.1\r\nHost: test\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return -1;
  }
  // The whole response is small; one read that returns bytes means the
  // session answered and is waiting for the next request.
  char buffer[512];
  if (::recv(fd, buffer, sizeof(buffer), 0) <= 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

TEST(HttpServerStopTest, StopReturnsWhileClientsCloseTheirConnections) {
  for (int round = 0; round < kRounds; ++round) {
    auto server = HttpServer::Start(
        HttpServerOptions{},
        [](HttpRequest, std::shared_ptr<Exchange> exchange) {
          exchange->Respond(HttpResponse{200, "text/plain", {}, "pong"});
        },
        [](int status, absl::string_view, absl::string_view message) {
          return HttpResponse{status, "text/plain", {}, std::string(message)};
        });
    ASSERT_TRUE(server.ok()) << server.status();
    std::vector<int> sockets;
    for (int i = 0; i < kConnections; ++i) {
      const int fd = ConnectAndAsk((*server)->port());
      ASSERT_GE(fd, 0) << "round " << round << ", connection " << i;
      sockets.push_back(fd);
    }
    std::thread closer([&sockets] {
      for (int fd : sockets) ::close(fd);
    });
    std::future<void> stopped = std::async(std::launch::async, [&server] { (*server)->Stop(); });
    if (stopped.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      // The Stop thread is stuck for good; nothing can be cleaned up.
      ADD_FAILURE() << "HttpServer::Stop did not return in round " << round;
      std::abort();
    }
    closer.join();
  }
}

}  // namespace
}  // namespace backinstock::http
