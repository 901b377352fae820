// make bench's delivery line: a report of --requests requests on one item,
// delivered into a local SMTP sink (Debian's aiosmtpd, tests/support/smtp_relay.py),
// against a baseline in the same run: bare libcurl senders (the server's own
// SMTP sender, with the same concurrency) sending the same number of messages
// into the same sink. Prints the Report call's time and emails per second,
// for the memory store and for --data_dir, and how busy the sink was.
//
// The sink is one Python process, and it reads a message line by line: on two
// cores it is what saturates, so the baseline sends a message the server
// itself delivered in the memory run (byte for byte, its lines and size), not
// a message of another shape. The old synthetic baseline (one 6,000-byte
// line) is printed too, for comparison with earlier runs.
#include <fcntl.h>
#include <grpcpp/create_channel.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "backinstock/v1/settings.grpc.pb.h"
#include "bench/load/site_credentials.h"
#include "server/domain/settings_manager.h"
#include "server/email/smtp_sender.h"
#include "server/metrics/process_collector.h"
#include "server/runtime/server.h"

ABSL_FLAG(int, requests, 10000, "requests on the reported item");
ABSL_FLAG(int, concurrency, 8, "delivery workers (and baseline senders)");
ABSL_FLAG(std::string, relay_script, "tests/support/smtp_relay.py", "the SMTP sink");
ABSL_FLAG(std::string, work_dir, "", "scratch directory (default: a new one under /tmp)");

namespace backinstock::bench {
namespace {

constexpr char kMailFrom[] = "shop@example.com";

// The aiosmtpd sink on a free port; killed by the destructor.
class Sink {
 public:
  explicit Sink(const std::string& dir) {
    std::filesystem::create_directories(dir + "/mail");
    const std::string out = dir + "/sink.out";
    const std::string script = absl::GetFlag(FLAGS_relay_script);
    const std::string mail = dir + "/mail";
    std::vector<std::string> args = {"/usr/bin/python3", script, "--dir", mail};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (pid_ > 0 && port_ == 0 && absl::Now() < deadline) {
      std::ifstream in(out);
      std::string line;
      if (std::getline(in, line) && line.rfind("smtp-relay listening on ", 0) == 0) {
        port_ = std::atoi(line.substr(line.rfind(':') + 1).c_str());
      } else {
        absl::SleepFor(absl::Milliseconds(20));  // polling a file the sink writes once
      }
    }
  }
  ~Sink() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string url() const { return absl::StrCat("smtp://127.0.0.1:", port_); }
  bool ok() const { return port_ != 0; }
  // The sink's CPU time so far (user + system), from /proc; 0 if unreadable.
  double CpuSeconds() const {
    std::ifstream in(absl::StrCat("/proc/", pid_, "/stat"));
    const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::optional<metrics::ProcStat> stat = metrics::ParseProcStat(line);
    if (!stat) return 0;
    return (stat->user_ticks + stat->system_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Emails per second, and the sink's CPU seconds per second of the phase.
struct Rate {
  double emails_per_second = 0;
  double sink_busy = 0;
};

// The baseline of earlier runs: a plain-text message of one 6,000-byte line.
std::string SyntheticMessage() {
  return absl::StrCat(
      "From: Shop <", kMailFrom, ">\r\nTo: c@example.com\r\nSubject: Back in stock\r\n",
      "Message-ID: <baseline@example.com>\r\nMIME-Version: 1.0\r\n",
      "Content-Type: text/plain; charset=utf-8\r\n\r\n", std::string(6000, 'x'), "\r\n");
}

// The first message the sink stored (its NNNN.eml files, in order), or ""
// when there is none.
std::string FirstStoredMessage(const std::string& mail_dir) {
  std::string first;
  for (const auto& entry : std::filesystem::directory_iterator(mail_dir)) {
    const std::string path = entry.path().string();
    if (entry.path().extension() == ".eml" && (first.empty() || path < first)) first = path;
  }
  if (first.empty()) return "";
  std::ifstream in(first, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// `message`, `count` times, from `concurrency` senders.
Rate BaselineEmailsPerSecond(const Sink& sink, const std::string& message, int count,
                             int concurrency) {
  email::SmtpConfig config;
  config.url = sink.url();
  config.mail_from = kMailFrom;
  config.starttls = "off";
  const double sink_before = sink.CpuSeconds();
  std::atomic<int> next{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> senders;
  for (int i = 0; i < concurrency; ++i) {
    senders.emplace_back([&] {
      absl::StatusOr<std::unique_ptr<email::MailSender>> sender = email::MakeSmtpSender(config);
      if (!sender.ok()) return;
      while (next.fetch_add(1) < count) {
        (*sender)->Send(kMailFrom, "c@example.com", message).IgnoreError();
      }
    });
  }
  for (std::thread& sender : senders) sender.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return Rate{count / seconds, (sink.CpuSeconds() - sink_before) / seconds};
}

struct Figures {
  double report_seconds = 0;
  double emails_per_second = 0;
  double sink_busy = 0;
  bool all_sent = false;
};

Figures RunServer(const Sink& sink, const std::string& data_dir, int count, int concurrency) {
  const std::string url = sink.url();
  auth::Keys keys;
  keys.identity.emplace("bench-identity", std::string(32, 'i'));
  keys.elevation.emplace("bench-elevation", std::string(32, 'e'));
  runtime::ServerConfig config;
  config.listen = "127.0.0.1:0";
  config.keys = keys;
  config.supported_app_ids = {std::string(domain::kWixStoresAppId)};
  config.audit_log = "/dev/null";
  config.data_dir = data_dir;
  config.smtp.url = url;
  config.smtp.mail_from = kMailFrom;
  config.smtp.starttls = "off";
  config.delivery_concurrency = concurrency;
  config.max_requests_per_site = count + 10;
  Figures figures;
  absl::StatusOr<std::unique_ptr<runtime::Server>> server = runtime::Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", std::string(server.status().message()).c_str());
    return figures;
  }
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()),
                                     grpc::InsecureChannelCredentials());
  auto requests = v1::BackInStockNotificationRequestService::NewStub(channel);
  auto settings = v1::BackInStockSettingsService::NewStub(channel);
  absl::StatusOr<std::vector<SiteCredentials>> who =
      MintSiteCredentials(keys, 1, "user", absl::Now());
  if (!who.ok()) return figures;
  const SiteCredentials& owner = (*who)[0];
  auto context = [&owner] {
    auto c = std::make_unique<grpc::ClientContext>();
    c->AddMetadata("authorization", owner.authorization);
    return c;
  };
  {
    v1::StartCollectingRequestsRequest start;
    start.set_app_id(std::string(domain::kWixStoresAppId));
    v1::StartCollectingRequestsResponse started;
    settings->StartCollectingRequests(context().get(), start, &started);
  }
  v1::CatalogReference item;
  item.set_catalog_item_id("bench-item");
  item.set_app_id(std::string(domain::kWixStoresAppId));
  std::atomic<int> next{0};
  std::vector<std::thread> creators;
  for (int t = 0; t < 16; ++t) {
    creators.emplace_back([&] {
      for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
        v1::CreateBackInStockNotificationRequestRequest create;
        *create.mutable_request()->mutable_catalog_reference() = item;
        create.mutable_request()->set_email(absl::StrCat("customer", i, "@example.com"));
        create.mutable_item_details()->set_name("Blue shirt");
        create.mutable_item_details()->set_price("19.99");
        v1::CreateBackInStockNotificationRequestResponse created;
        requests->CreateBackInStockNotificationRequest(context().get(), create, &created);
      }
    });
  }
  for (std::thread& creator : creators) creator.join();

  v1::ReportItemsBackInStockRequest report;
  *report.mutable_catalog_reference() = item;
  report.mutable_item_details()->set_name("Blue shirt");
  report.mutable_item_details()->set_price("19.99");
  v1::ReportItemsBackInStockResponse reported;
  const double sink_before = sink.CpuSeconds();
  const absl::Time start = absl::Now();
  grpc::Status status = requests->ReportItemsBackInStock(context().get(), report, &reported);
  figures.report_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!status.ok()) {
    std::fprintf(stderr, "report: %s\n", status.error_message().c_str());
    return figures;
  }
  // Done when no request of the item is open (RECEIVED or PROCESSING).
  v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest count_request;
  *count_request.add_catalog_references() = item;
  const absl::Time deadline = absl::Now() + absl::Minutes(10);
  for (;;) {
    v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse counted;
    requests->GetBackInStockNotificationRequestsCountByCatalogReferences(context().get(),
                                                                         count_request, &counted);
    if (counted.counts_per_catalog_reference_size() == 1 &&
        counted.counts_per_catalog_reference(0).count() == 0) {
      figures.all_sent = true;
      break;
    }
    if (absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(50));  // polling the server's own count
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  figures.emails_per_second = count / seconds;
  figures.sink_busy = (sink.CpuSeconds() - sink_before) / seconds;
  (*server)->Shutdown();
  return figures;
}

int Main() {
  const int count = absl::GetFlag(FLAGS_requests);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  std::string dir = absl::GetFlag(FLAGS_work_dir);
  if (dir.empty()) {
    char pattern[] = "/tmp/backinstock-bench-delivery-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return 1;
    dir = pattern;
  }
  // Each phase gets a sink of its own (a new process, an empty directory), so
  // that no phase pays for what an earlier one left in the sink.
  int phase = 0;
  auto fresh_sink = [&]() -> std::unique_ptr<Sink> {
    auto sink = std::make_unique<Sink>(absl::StrCat(dir, "/sink", ++phase));
    if (!sink->ok()) {
      std::fprintf(stderr, "the SMTP sink did not start (python3-aiosmtpd?)\n");
      return nullptr;
    }
    return sink;
  };
  std::unique_ptr<Sink> sink = fresh_sink();
  if (sink == nullptr) return 1;
  const Rate synthetic = BaselineEmailsPerSecond(*sink, SyntheticMessage(), count, concurrency);
  if ((sink = fresh_sink()) == nullptr) return 1;
  const Figures memory = RunServer(*sink, "", count, concurrency);
  // What the server sent, as the sink stored it (every email of the run has
  // the same template and item: they differ only in the customer's address).
  const std::string sent = FirstStoredMessage(absl::StrCat(dir, "/sink", phase, "/mail"));
  if (sent.empty()) {
    std::fprintf(stderr, "the sink stored no message of the memory run\n");
    return 1;
  }
  if ((sink = fresh_sink()) == nullptr) return 1;
  const Rate baseline = BaselineEmailsPerSecond(*sink, sent, count, concurrency);
  if ((sink = fresh_sink()) == nullptr) return 1;
  const Figures durable = RunServer(*sink, dir + "/data", count, concurrency);
  sink.reset();
  std::printf("delivery: %d requests, %d workers, into aiosmtpd on loopback\n", count, concurrency);
  std::printf(
      "  baseline (bare libcurl senders, the server's own message: %zu bytes, %d lines): %.0f "
      "emails/s, sink busy %.2f of a core\n",
      sent.size(), static_cast<int>(std::count(sent.begin(), sent.end(), '\n')),
      baseline.emails_per_second, baseline.sink_busy);
  std::printf(
      "  (the earlier baseline, one 6,000-byte line: %.0f emails/s, sink busy %.2f of a core)\n",
      synthetic.emails_per_second, synthetic.sink_busy);
  for (const auto& [name, figures, target] :
       {std::tuple{"memory", memory, 1.0}, std::tuple{"--data_dir", durable, 3.0}}) {
    const double ratio = figures.emails_per_second / baseline.emails_per_second;
    std::printf(
        "  %-10s Report answered in %.2f s (target < %.0f s: %s); %.0f emails/s, %.2f of the "
        "baseline (target >= 0.80: %s); sink busy %.2f of a core%s\n",
        name, figures.report_seconds, target, figures.report_seconds < target ? "met" : "NOT met",
        figures.emails_per_second, ratio, ratio >= 0.8 ? "met" : "NOT met", figures.sink_busy,
        figures.all_sent ? "" : " (NOT all delivered)");
  }
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace backinstock::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return backinstock::bench::Main();
}
