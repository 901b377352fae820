// The bare HTTP server of the HTTP benchmarks: the front's own HTTP layer
// (server/http/http_server, Boost.Beast) answering every request with a fixed
// JSON body the size of a GetSettings answer, no gRPC behind it. Prints
// "backinstock-bench-http-bare listening on 127.0.0.1:PORT" and serves until killed.
#include <signal.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "server/http/http_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port");
ABSL_FLAG(int, threads, 2, "I/O threads");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  backinstock::http::HttpServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.threads = absl::GetFlag(FLAGS_threads);
  static const std::string kBody =
      R"({"settings":{"collectionStates":[{"appId":"215238eb-22a5-4c36-9e7b-e7c08025e04e",)"
      R"("collectingRequests":false}],"revision":"0"}})";
  auto server = backinstock::http::HttpServer::Start(
      options,
      [](backinstock::http::HttpRequest, std::shared_ptr<backinstock::http::Exchange> exchange) {
        backinstock::http::HttpResponse response;
        response.body = kBody;
        response.headers.emplace_back("x-wix-request-id", "00000000-0000-4000-8000-000000000000");
        exchange->Respond(std::move(response));
      },
      [](int status, absl::string_view, absl::string_view message) {
        backinstock::http::HttpResponse response;
        response.status = status;
        response.body = std::string(message);
        return response;
      });
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", std::string(server.status().message()).c_str());
    return 2;
  }
  std::printf("backinstock-bench-http-bare listening on 127.0.0.1:%d\n", (*server)->port());
  std::fflush(stdout);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  (*server)->Stop();
  return 0;
}
