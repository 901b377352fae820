// backinstock-server: reads flags (and BACKINSTOCK_* environment variables),
// starts the service, prints the address it listens on, and runs until SIGTERM
// or SIGINT, which shut it down gracefully. SIGHUP reloads the keys file.
#include <signal.h>

#include <cstdio>
#include <cstdlib>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/logging/log.h"
#include "server/runtime/flags.h"
#include "server/runtime/server.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "backinstock-server: %s\n", std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace backinstock;

  // Signals are taken synchronously by this thread (sigwait below); every
  // thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A closed stdout or log pipe must not kill the server: writes fail instead.
  signal(SIGPIPE, SIG_IGN);
  // Debian's Abseil is built without NDEBUG, so absl::Mutex deadlock detection
  // (a debugging aid) runs on every lock acquisition, through a process-wide
  // graph under a global lock, and aborts the process on a suspected cycle:
  // several percent of the CPU per call under load (docs/performance.md). The
  // server binary turns it off; tests, which run servers in-process, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  absl::SetProgramUsageMessage(
      "The Back In Stock gRPC service.\n"
      "Usage: backinstock-server --keys_file=keys.json [--listen=127.0.0.1:50051] [flags]\n"
      "Every flag may also be given as the environment variable BACKINSTOCK_<FLAG>.");
  if (absl::Status env = runtime::ApplyEnvironmentToFlags(); !env.ok()) return Fail(env);
  absl::ParseCommandLine(argc, argv);

  absl::StatusOr<runtime::ServerConfig> config = runtime::ConfigFromFlags();
  if (!config.ok()) return Fail(config.status());
  if (config->keys.development_only) {
    logging::Warning(
        "USING DEVELOPMENT KEYS: anyone with this repository can mint tokens for this server; "
        "never use them outside a developer machine",
        {{"keys_file", config->keys_file}});
  }

  const std::string listen = config->listen;
  const std::string metrics_listen = config->metrics_listen;
  const std::string http_listen = config->http_listen;
  absl::StatusOr<std::unique_ptr<runtime::Server>> server =
      runtime::Server::Start(*std::move(config));
  if (!server.ok()) return Fail(server.status());

  // Printed before the readiness line, so that whoever waits for that one can
  // read these too (the ports are the bound ones).
  if ((*server)->metrics_port() != 0) {
    const std::string metrics_host = metrics_listen.substr(0, metrics_listen.rfind(':'));
    std::printf("backinstock-server metrics on http://%s:%d/metrics\n", metrics_host.c_str(),
                (*server)->metrics_port());
  }
  if ((*server)->http_port() != 0) {
    const std::string http_host = http_listen.substr(0, http_listen.rfind(':'));
    std::printf("backinstock-server http listening on %s:%d\n", http_host.c_str(),
                (*server)->http_port());
  }
  std::printf("backinstock-server emails go to %s\n", (*server)->mail_destination().c_str());
  // The readiness line tests and scripts wait for (the port is the bound one).
  const std::string host = listen.substr(0, listen.rfind(':'));
  const std::string address = absl::StrCat(host, ":", (*server)->port());
  std::printf("backinstock-server listening on %s\n", address.c_str());
  std::fflush(stdout);
  logging::Info("serving", {{"address", address}});

  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number == SIGHUP) {
      absl::Status reloaded = (*server)->ReloadKeys();
      if (reloaded.ok()) {
        logging::Info("keys reloaded");
      } else {
        logging::Error("keys not reloaded; the previous keys stay in force",
                       {{"error", reloaded.message()}});
      }
      continue;
    }
    logging::Info("signal received", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  (*server)->Shutdown();
  (*server)->Wait();
  logging::Info("stopped");
  logging::Flush();
  return 0;
}
