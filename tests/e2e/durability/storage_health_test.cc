// When the journal cannot write (here: a real EFBIG from a file size limit,
// the same path a full disk takes), writes get UNAVAILABLE with reason
// STORAGE_UNAVAILABLE, the server's health turns NOT_SERVING so that load
// balancers stop sending traffic, and reads keep working.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/request_calls.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// Limits the size of files this process writes, for as long as it lives.
// SIGXFSZ is ignored meanwhile, so a write past the limit fails with EFBIG
// instead of killing the process.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    previous_handler_ = signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &previous_);
    rlimit limited = previous_;
    limited.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &limited) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    signal(SIGXFSZ, previous_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit previous_{};
  sighandler_t previous_handler_ = SIG_DFL;
  bool ok_ = false;
};

HealthCheckResponse::ServingStatus Health(std::shared_ptr<grpc::Channel> channel,
                                          const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(std::move(channel));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.status();
}

TEST(StorageHealth, AJournalWriteFailureTurnsHealthNotServingAndReadsGoOn) {
  TempDir dir("storage-health");
  runtime::ServerConfig config = QuietConfig();
  config.data_dir = dir / "data";
  TestServer server(config);
  const Credentials owner = As("health-site", "user");
  SettingsCalls settings(server.channel());
  RequestCalls requests(server.channel());
  ASSERT_TRUE(settings.Set(owner, true).ok());
  auto created = requests.Create(owner, "item", "before@shop.example");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(Health(server.channel(), ""), HealthCheckResponse::SERVING);
  EXPECT_EQ(Health(server.channel(), "backinstock.store"), HealthCheckResponse::SERVING);

  absl::Status failed;
  {
    // Segments start small (the default segment size is 16 MiB): a few
    // kilobytes more and the next write is past the limit.
    FileSizeLimit limit(8 << 10);
    ASSERT_TRUE(limit.ok());
    for (int i = 0; i < 1000 && failed.ok(); ++i) {
      failed = requests.Create(owner, "item", absl::StrCat("c", i, "@shop.example")).status();
    }
  }
  ASSERT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_EQ(errors::ReasonOf(failed), "STORAGE_UNAVAILABLE");

  // Answered before the failed write was: no waiting needed.
  EXPECT_EQ(Health(server.channel(), ""), HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(Health(server.channel(), "backinstock.store"), HealthCheckResponse::NOT_SERVING);

  // The requests journal stays failed (the file's state is unknown) even
  // without the limit: its writes are refused, reads are served.
  EXPECT_EQ(requests.Create(owner, "item", "after@shop.example").status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(requests.Get(owner, created->id()).ok());
  EXPECT_TRUE(settings.Get(owner).ok());
}

}  // namespace
}  // namespace backinstock::testing
