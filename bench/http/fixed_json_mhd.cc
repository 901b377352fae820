// The same fixed-JSON server on libmicrohttpd (internal epoll threads), to
// compare HTTP libraries under one load (docs/decisions.md, "HTTP front").
// Prints "backinstock-bench-http-mhd listening on 127.0.0.1:PORT" and serves until killed.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"

ABSL_FLAG(int, port, 0, "port on 127.0.0.1 (0: any free port)");
ABSL_FLAG(int, threads, 2, "polling threads");

namespace {

const char kBody[] =
    R"({"settings":{"collectionStates":[{"appId":"215238eb-22a5-4c36-9e7b-e7c08025e04e",)"
    R"("collectingRequests":false}],"revision":"0"}})";

MHD_Result Answer(void*, MHD_Connection* connection, const char*, const char*, const char*,
                  const char*, size_t* upload_size, void** state) {
  // The first call per request only announces it; answer on the next.
  if (*state == nullptr) {
    static int marker;
    *state = &marker;
    return MHD_YES;
  }
  if (*upload_size != 0) {
    *upload_size = 0;
    return MHD_YES;
  }
  MHD_Response* response = MHD_create_response_from_buffer(
      std::strlen(kBody), const_cast<char*>(kBody), MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(response, "Content-Type", "application/json");
  MHD_add_response_header(response, "x-wix-request-id", "00000000-0000-4000-8000-000000000000");
  const MHD_Result result = MHD_queue_response(connection, MHD_HTTP_OK, response);
  MHD_destroy_response(response);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(absl::GetFlag(FLAGS_port)));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  MHD_Daemon* daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, nullptr,
                                        nullptr, &Answer, nullptr, MHD_OPTION_SOCK_ADDR, &address,
                                        MHD_OPTION_THREAD_POOL_SIZE,
                                        static_cast<unsigned>(absl::GetFlag(FLAGS_threads)),
                                        MHD_OPTION_CONNECTION_LIMIT, 10000u, MHD_OPTION_END);
  if (daemon == nullptr) {
    std::fprintf(stderr, "cannot start libmicrohttpd\n");
    return 2;
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  std::printf("backinstock-bench-http-mhd listening on 127.0.0.1:%u\n", info->port);
  std::fflush(stdout);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  MHD_stop_daemon(daemon);
  return 0;
}
