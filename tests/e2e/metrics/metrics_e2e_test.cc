// The real server with --metrics_listen on port 0: a known mix of calls moves
// the counters by exactly what was sent; promtool accepts the page; a real
// Prometheus scrapes it and answers a query with the expected value.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/metrics/prometheus_server.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/metrics_client.h"
#include "tests/support/raw_call.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"

namespace backinstock::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSettings[] = "backinstock.v1.BackInStockSettingsService";

std::string Method(const std::string& type, const std::string& method) {
  return absl::StrCat("grpc_type=\"", type, "\",grpc_service=\"", kSettings, "\",grpc_method=\"",
                      method, "\"");
}

std::string Handled(const std::string& method, const std::string& code) {
  return absl::StrCat("grpc_server_handled_total{", Method("unary", method), ",grpc_code=\"", code,
                      "\"}");
}

std::string Started(const std::string& method) {
  return absl::StrCat("grpc_server_started_total{", Method("unary", method), "}");
}

std::string Denied(const std::string& reason) {
  return absl::StrCat("backinstock_auth_denied_total{reason=\"", reason, "\"}");
}

class MetricsE2eTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(const std::vector<std::string>& more_args) {
    std::ofstream(keys_path_) << TestKeysJson();
    ServerProcess::Options options;
    options.args = {"--keys_file=" + keys_path_, "--audit_log=/dev/null",
                    "--metrics_listen=127.0.0.1:0"};
    options.args.insert(options.args.end(), more_args.begin(), more_args.end());
    absl::StatusOr<std::unique_ptr<ServerProcess>> process = ServerProcess::Start(options);
    ASSERT_TRUE(process.ok()) << process.status();
    server_ = *std::move(process);
    // "backinstock-server metrics on http://127.0.0.1:PORT/metrics", printed
    // before the readiness line the launcher waited for.
    const std::string out = server_->Stdout();
    const std::string marker = "metrics on http://127.0.0.1:";
    const size_t at = out.find(marker);
    ASSERT_NE(at, std::string::npos) << out;
    const size_t start = at + marker.size();
    ASSERT_TRUE(absl::SimpleAtoi(out.substr(start, out.find('/', start) - start), &metrics_port_))
        << out;
    ASSERT_GT(metrics_port_, 0);
    ASSERT_NE(metrics_port_, server_->port());
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    unlink(keys_path_.c_str());
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_);
  }

  std::string Scrape() {
    absl::StatusOr<HttpReply> reply = HttpRequest(metrics_port_, "GET", "/metrics");
    EXPECT_TRUE(reply.ok()) << reply.status();
    if (!reply.ok()) return "";
    EXPECT_EQ(reply->status, 200);
    EXPECT_THAT(reply->headers, HasSubstr("text/plain; version=0.0.4"));
    return reply->body;
  }

  // The known mix: 3 GetSettings OK, 2 GetSettings without a token, 2
  // StartCollectingRequests with an invalid app id, 1 StartCollectingRequests
  // by a visitor (needs elevation), 1 StartCollectingRequests OK.
  void SendTheMix() {
    SettingsCalls calls(channel_);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(calls.Get(As("site-a", "visitor")).ok());
    for (int i = 0; i < 2; ++i) {
      grpc::ClientContext context;  // no authorization header at all
      v1::GetSettingsResponse response;
      EXPECT_EQ(
          calls.stub().GetSettings(&context, v1::GetSettingsRequest(), &response).error_code(),
          grpc::StatusCode::UNAUTHENTICATED);
    }
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(calls.Set(As("site-a", "user"), true, "not-an-app").status().code(),
                absl::StatusCode::kInvalidArgument);
    }
    EXPECT_EQ(calls.Set(As("site-a", "visitor"), true).status().code(),
              absl::StatusCode::kPermissionDenied);
    ASSERT_TRUE(calls.Set(As("site-a", "user"), true).ok());
  }

  const std::string keys_path_ = TempPath("keys.json");
  std::unique_ptr<ServerProcess> server_;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::string data_dir_;
};

TEST_F(MetricsE2eTest, JournalFsyncsAndNotificationsAreCounted) {
  server_.reset();
  data_dir_ = TempPath("metrics-data");
  StartServer({"--data_dir=" + data_dir_});
  ASSERT_NE(server_, nullptr);
  const std::map<std::string, double> before = ParsePage(Scrape());
  SettingsCalls settings(channel_);
  ASSERT_TRUE(settings.Set(As("site-n", "user"), true).ok());
  RequestCalls requests(channel_);
  std::vector<std::string> ids;
  for (const char* email : {"a@example.com", "b@example.com"}) {
    absl::StatusOr<NotificationRequest> created =
        requests.Create(As("site-n", "visitor"), "item-1", email);
    ASSERT_TRUE(created.ok()) << created.status();
    ids.push_back(created->id());
  }
  ASSERT_TRUE(requests.Report(As("site-n", "user"), RequestCalls::ReportOf(ids)).ok());
  // The emails go out in the background: wait until both are recorded sent.
  for (const std::string& id : ids) {
    ASSERT_TRUE(Eventually([&] {
      auto request = requests.Get(As("site-n", "user"), id);
      return request.ok() && request->status() == NotificationRequest::NOTIFICATION_SENT;
    }));
  }
  // The counter moves just after the outcome is recorded.
  const std::string sent = "backinstock_notifications_total{outcome=\"sent\"}";
  ASSERT_TRUE(Eventually([&] { return ParsePage(Scrape())[sent] - before.at(sent) >= 2; }));
  const std::string page = Scrape();
  const std::map<std::string, double> after = ParsePage(page);
  // One settings write, two creates, two claims and two settlements: each
  // durable before its answer, so each behind at least one fsync (group
  // commit may share one between writes).
  const std::string settings_syncs =
      "backinstock_journal_fsync_seconds_count{journal=\"settings\"}";
  const std::string request_syncs = "backinstock_journal_fsync_seconds_count{journal=\"requests\"}";
  ASSERT_EQ(after.count(settings_syncs), 1u) << page;
  ASSERT_EQ(after.count(request_syncs), 1u) << page;
  EXPECT_GE(
      after.at(settings_syncs) - (before.count(settings_syncs) ? before.at(settings_syncs) : 0), 1);
  EXPECT_GE(after.at(request_syncs) - (before.count(request_syncs) ? before.at(request_syncs) : 0),
            1);
  EXPECT_EQ(after.at("backinstock_notifications_total{outcome=\"sent\"}") -
                before.at("backinstock_notifications_total{outcome=\"sent\"}"),
            2);
  EXPECT_EQ(after.at("backinstock_notifications_total{outcome=\"failed\"}"), 0);
  EXPECT_EQ(after.at("backinstock_delivery_queue_depth"), 0);
  // No site id or email anywhere on the page.
  EXPECT_THAT(page, Not(HasSubstr("site-n")));
  EXPECT_THAT(page, Not(HasSubstr("example.com")));
  EXPECT_THAT(page, Not(HasSubstr(ids[0])));
}

TEST_F(MetricsE2eTest, CountersMoveByExactlyWhatWasSent) {
  const std::map<std::string, double> before = ParsePage(Scrape());
  SendTheMix();
  const std::map<std::string, double> after = ParsePage(Scrape());
  auto delta = [&](const std::string& series) {
    EXPECT_EQ(after.count(series), 1u) << series;
    const auto it = before.find(series);
    return after.count(series) ? after.at(series) - (it == before.end() ? 0 : it->second) : -1;
  };
  EXPECT_EQ(delta(Started("GetSettings")), 5);
  EXPECT_EQ(delta(Handled("GetSettings", "OK")), 3);
  EXPECT_EQ(delta(Handled("GetSettings", "Unauthenticated")), 2);
  EXPECT_EQ(delta(Handled("GetSettings", "InvalidArgument")), 0);
  EXPECT_EQ(delta(Started("StartCollectingRequests")), 4);
  EXPECT_EQ(delta(Handled("StartCollectingRequests", "OK")), 1);
  EXPECT_EQ(delta(Handled("StartCollectingRequests", "InvalidArgument")), 2);
  EXPECT_EQ(delta(Handled("StartCollectingRequests", "PermissionDenied")), 1);
  EXPECT_EQ(delta(Started("StopCollectingRequests")), 0);
  EXPECT_EQ(delta(absl::StrCat("grpc_server_handling_seconds_count{",
                               Method("unary", "GetSettings"), "}")),
            5);
  EXPECT_EQ(delta(absl::StrCat("grpc_server_handling_seconds_bucket{",
                               Method("unary", "StartCollectingRequests"), ",le=\"+Inf\"}")),
            4);
  EXPECT_EQ(delta(Denied("TOKEN_MISSING")), 2);
  EXPECT_EQ(delta(Denied("ELEVATION_REQUIRED")), 1);
  EXPECT_EQ(delta(Denied("TOKEN_INVALID")), 0);
  // Streams are declared with their own type.
  EXPECT_EQ(after.count(absl::StrCat("grpc_server_started_total{",
                                     Method("server_stream", "WatchSettings"), "}")),
            1u);
}

TEST_F(MetricsE2eTest, WatchStreamsAreCountedWhileOpen) {
  SettingsCalls calls(channel_);
  grpc::ClientContext context;
  Authorize(context, IdentityToken("site-w", "visitor"));
  auto reader = calls.stub().WatchSettings(&context, v1::WatchSettingsRequest());
  v1::WatchSettingsResponse response;
  ASSERT_TRUE(reader->Read(&response));
  EXPECT_TRUE(
      Eventually([&] { return ParsePage(Scrape())["backinstock_watch_streams_open"] == 1; }));
  context.TryCancel();
  while (reader->Read(&response)) {
  }
  reader->Finish();
  EXPECT_TRUE(
      Eventually([&] { return ParsePage(Scrape())["backinstock_watch_streams_open"] == 0; }));
}

TEST_F(MetricsE2eTest, UnknownMethodsFoldIntoOneBoundedSeries) {
  grpc::GenericStub stub(channel_);
  const std::string unknown =
      "grpc_type=\"unknown\",grpc_service=\"unknown\",grpc_method=\"unknown\"";
  const std::map<std::string, double> before = ParsePage(Scrape());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(CallRaw(stub, absl::StrCat("/made.up.Service", i, "/Method", i)).code(),
              absl::StatusCode::kUnimplemented);
  }
  const std::string page = Scrape();
  EXPECT_THAT(page, Not(HasSubstr("made.up")));
  EXPECT_THAT(page, Not(HasSubstr("Method1")));
  const std::map<std::string, double> after = ParsePage(page);
  // The page has exactly as many series as before; the calls are in the
  // one "unknown" method.
  EXPECT_EQ(after.size(), before.size());
  const std::string started = absl::StrCat("grpc_server_started_total{", unknown, "}");
  const std::string unimplemented =
      absl::StrCat("grpc_server_handled_total{", unknown, ",grpc_code=\"Unimplemented\"}");
  ASSERT_EQ(after.count(started), 1u);
  ASSERT_EQ(after.count(unimplemented), 1u);
  EXPECT_EQ(after.at(started) - before.at(started), 3);
  EXPECT_EQ(after.at(unimplemented) - before.at(unimplemented), 3);
}

TEST_F(MetricsE2eTest, PromtoolAcceptsThePage) {
  if (access("/usr/bin/promtool", X_OK) != 0)
    GTEST_SKIP() << "promtool (Debian prometheus) missing";
  SendTheMix();
  const std::string page_path = TempPath("page.txt");
  const std::string output_path = TempPath("promtool.txt");
  std::ofstream(page_path) << Scrape();
  const int out = open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(out, 0);
  absl::StatusOr<pid_t> pid = SpawnChild(
      {"/bin/sh", "-c", "exec /usr/bin/promtool check metrics < \"$0\"", page_path}, {}, out, out);
  close(out);
  ASSERT_TRUE(pid.ok()) << pid.status();
  int status = 0;
  ASSERT_EQ(waitpid(*pid, &status, 0), *pid);
  const std::string output = ReadWholeFile(output_path);
  EXPECT_EQ(ExitCodeOf(status), 0) << output << "\npage:\n" << ReadWholeFile(page_path);
  EXPECT_EQ(output, "");
  unlink(page_path.c_str());
  unlink(output_path.c_str());
}

TEST_F(MetricsE2eTest, PrometheusScrapesItAndAnswersAQuery) {
  if (!PrometheusServer::Available()) GTEST_SKIP() << "prometheus (Debian prometheus) missing";
  SendTheMix();
  absl::StatusOr<std::unique_ptr<PrometheusServer>> prometheus =
      PrometheusServer::Start(absl::StrCat("127.0.0.1:", metrics_port_));
  ASSERT_TRUE(prometheus.ok()) << prometheus.status();
  const std::string query =
      absl::StrCat("grpc_server_handled_total{job=\"backinstock\",grpc_service=\"", kSettings,
                   "\",grpc_method=\"GetSettings\",grpc_code=\"OK\"}");
  absl::StatusOr<double> value;
  const bool scraped = Eventually(
      [&] {
        value = (*prometheus)->QueryOne(query);
        return value.ok();
      },
      absl::Seconds(90), absl::Milliseconds(200));
  ASSERT_TRUE(scraped) << value.status() << "\n" << (*prometheus)->Log();
  EXPECT_EQ(*value, 3);
  absl::StatusOr<double> up = (*prometheus)->QueryOne("up{job=\"backinstock\"}");
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(*up, 1);
  absl::StatusOr<double> denied =
      (*prometheus)
          ->QueryOne(
              "sum(backinstock_auth_denied_total{job=\"backinstock\",reason=\"TOKEN_MISSING\"})");
  ASSERT_TRUE(denied.ok()) << denied.status();
  EXPECT_EQ(*denied, 2);
}

}  // namespace
}  // namespace backinstock::testing
