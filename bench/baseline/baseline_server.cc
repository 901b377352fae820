// backinstock-bench-baseline: a bare gRPC server with one unary method that
// does no work (baseline.v1.BaselineService/Noop). It is built with the same
// gRPC and started with the same server settings as backinstock-server
// (server/runtime/server.cc: message and metadata limits, concurrent streams,
// keepalive policy, health and reflection, callback API, no interceptors), so
// a throughput or latency ratio to it measures only what our code adds.
//
// --interceptor adds the least a server interceptor that authorizes can do: a
// gRPC 1.51 experimental interceptor on every call that reads the caller's
// headers (finding `authorization`) and passes every hook on. backinstock-server
// must have one (the design's elevation interceptor), so this server shows the
// part of a ratio that is gRPC's interceptor machinery rather than our code.
//
// Keep the settings below in step with server/runtime/server.cc.
//
// Prints "backinstock-bench-baseline listening on HOST:PORT" once serving and
// stops on SIGTERM or SIGINT.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bench/baseline/noop_service.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to serve on; port 0 picks a free port");
ABSL_FLAG(int32_t, max_message_bytes, 1 << 20, "as backinstock-server --max_message_bytes");
ABSL_FLAG(int32_t, max_concurrent_streams, 100, "as backinstock-server --max_concurrent_streams");
ABSL_FLAG(int32_t, max_metadata_bytes, 16 << 10, "as backinstock-server --max_metadata_bytes");
ABSL_FLAG(
    bool, interceptor, false,
    "add a pass-through interceptor that reads each call's headers (see the top of the file)");

int main(int argc, char** argv) {
  // Signals are taken by this thread with sigwait; gRPC threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  absl::SetProgramUsageMessage(
      "A bare gRPC server for benchmark baselines.\n"
      "Usage: backinstock-bench-baseline [--listen=127.0.0.1:0]");
  absl::ParseCommandLine(argc, argv);
  const std::string listen = absl::GetFlag(FLAGS_listen);

  backinstock::bench::NoopService service;
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.SetMaxSendMessageSize(absl::GetFlag(FLAGS_max_message_bytes));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             absl::GetFlag(FLAGS_max_concurrent_streams));
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, absl::GetFlag(FLAGS_max_metadata_bytes));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  if (absl::GetFlag(FLAGS_interceptor)) backinstock::bench::AddHeaderReadingInterceptor(builder);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "backinstock-bench-baseline: cannot listen on %s\n", listen.c_str());
    return 2;
  }
  server->GetHealthCheckService()->SetServingStatus(true);

  const std::string host = listen.substr(0, listen.rfind(':'));
  std::printf("backinstock-bench-baseline listening on %s:%d\n", host.c_str(), port);
  std::fflush(stdout);

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  return 0;
}
