// The bare HTTP server of the HTTP benchmarks: the front's own HTTP layer
// (server/http/http_server, Boost.Beast) answering every request with a fixed
// JSON body the size of a GetSettings answer, no gRPC behind it. Prints
// "backinstock-bench-http-bare listening on 127.0.0.1:PORT" and serves until killed.
//
// --forward_grpc: the floor of the front's design instead. Each request is
// first forwarded, as the front forwards every REST call, through the front's
// own GrpcForwarder (the in-process channel, a generic stub, the
// `authorization` header passed on) to a bare no-op gRPC method behind a
// pass-through interceptor (bench/baseline/noop_service.h); the fixed body is
// answered when that call returns. What the real front costs beyond this is
// its JSON mapping, the authorization, the handler and the call log.
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/baseline/noop_service.h"
#include "server/http/grpc_forwarder.h"
#include "server/http/http_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port");
ABSL_FLAG(int, threads, 2, "I/O threads");
ABSL_FLAG(bool, forward_grpc, false,
          "forward each request to an in-process no-op gRPC method first (see the top)");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  backinstock::http::HttpServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.threads = absl::GetFlag(FLAGS_threads);
  static const std::string kBody =
      R"({"settings":{"collectionStates":[{"appId":"215238eb-22a5-4c36-9e7b-e7c08025e04e",)"
      R"("collectingRequests":false}],"revision":"0"}})";
  // The in-process gRPC server and the forwarder of --forward_grpc.
  backinstock::bench::NoopService noop;
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<backinstock::http::GrpcForwarder> forwarder;
  if (absl::GetFlag(FLAGS_forward_grpc)) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&noop);
    backinstock::bench::AddHeaderReadingInterceptor(builder);
    grpc_server = builder.BuildAndStart();
    if (!grpc_server) {
      std::fprintf(stderr, "backinstock-bench-http-bare: cannot start the gRPC server\n");
      return 2;
    }
    forwarder = std::make_unique<backinstock::http::GrpcForwarder>(
        grpc_server->InProcessChannel(grpc::ChannelArguments()));
  }
  static const std::string kNoopRequest;  // an empty NoopRequest serializes to nothing
  auto respond = [](const std::shared_ptr<backinstock::http::Exchange>& exchange) {
    backinstock::http::HttpResponse response;
    response.body = kBody;
    response.headers.emplace_back("x-wix-request-id", "00000000-0000-4000-8000-000000000000");
    exchange->Respond(std::move(response));
  };
  auto server = backinstock::http::HttpServer::Start(
      options,
      [&forwarder, respond](backinstock::http::HttpRequest request,
                            std::shared_ptr<backinstock::http::Exchange> exchange) {
        if (!forwarder) {
          respond(exchange);
          return;
        }
        forwarder->Unary("/baseline.v1.BaselineService/Noop",
                         {{"authorization", request.Header("authorization")}}, kNoopRequest,
                         [respond, exchange](const grpc::Status& status, std::string) {
                           if (status.ok()) {
                             respond(exchange);
                             return;
                           }
                           backinstock::http::HttpResponse failed;
                           failed.status = 500;
                           failed.body = status.error_message();
                           exchange->Respond(std::move(failed));
                         });
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
  if (forwarder) forwarder->WaitIdle();
  if (grpc_server) grpc_server->Shutdown();
  return 0;
}
