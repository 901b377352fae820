// The line writer under a sink that stalls or refuses writes: callers never
// wait, reserved lines are never dropped, dropped lines are counted and
// reported, and write errors are reported (and recovered from).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "server/auth/audit_log.h"
#include "server/logging/line_writer.h"
#include "tests/support/eventually.h"

namespace backinstock::logging {
namespace {

using ::backinstock::testing::Eventually;

// Health reports, as the writer thread delivers them.
class HealthLog {
 public:
  std::function<void(const absl::Status&)> Callback() {
    return [this](const absl::Status& status) {
      absl::MutexLock lock(&mu_);
      reports_.push_back(status);
    };
  }
  std::vector<absl::Status> reports() const {
    absl::MutexLock lock(&mu_);
    return reports_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<absl::Status> reports_;
};

TEST(LineWriterFailures, WriteErrorsAreReportedAndReservationsRefused) {
  std::FILE* full = std::fopen("/dev/full", "a");
  ASSERT_NE(full, nullptr);
  HealthLog health;
  LineWriter::Options options;
  options.on_health = health.Callback();
  LineWriter writer(full, /*owns=*/true, options);
  EXPECT_TRUE(writer.healthy());
  EXPECT_TRUE(writer.TryWrite("a line the device refuses"));
  ASSERT_TRUE(Eventually([&] { return !health.reports().empty(); }));
  const absl::Status failure = health.reports().front();
  EXPECT_EQ(failure.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(failure.message(), "No space left on device")) << failure;
  EXPECT_FALSE(writer.healthy());
  // Room for a line that must not be lost is refused while writes fail.
  EXPECT_FALSE(writer.Reserve());
  // The refused line is not counted as written.
  EXPECT_FALSE(writer.Flush(absl::Milliseconds(50)));
}

// A pipe whose reader reads only when told to.
struct StalledPipe {
  StalledPipe() {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    read_fd = fds[0];
    out = fdopen(fds[1], "a");
  }
  ~StalledPipe() { close(read_fd); }
  // Reads until `needle` has been seen (the writer keeps writing meanwhile).
  std::string DrainUntil(const std::string& needle) {
    std::string seen;
    char buffer[65536];
    while (!absl::StrContains(seen, needle)) {
      const ssize_t n = read(read_fd, buffer, sizeof(buffer));
      if (n <= 0) break;
      seen.append(buffer, static_cast<size_t>(n));
    }
    return seen;
  }
  int read_fd = -1;
  std::FILE* out = nullptr;
};

TEST(LineWriterFailures, AStalledSinkNeverBlocksCallersAndKeepsReservedLines) {
  StalledPipe pipe;
  LineWriter::Options options;
  options.max_pending = 8;
  options.dropped_line = [](uint64_t dropped) { return "dropped " + std::to_string(dropped); };
  LineWriter writer(pipe.out, /*owns=*/true, options);
  // Lines of 16 KiB: a few fill the pipe, then the writer thread blocks in
  // write(2) and the queue fills behind it.
  const std::string big(16384, 'x');
  ASSERT_TRUE(writer.Reserve(1));
  size_t accepted = 0;
  ASSERT_TRUE(Eventually([&] {
    if (writer.TryWrite(big)) ++accepted;
    return writer.dropped() > 0;
  }));
  // Full: more lines are dropped at once rather than waited for, and the one
  // reserved place is still there.
  EXPECT_FALSE(writer.TryWrite(big));
  EXPECT_FALSE(writer.Reserve(1));
  writer.WriteReserved("the reserved line");

  // Once the reader reads again, everything accepted arrives, and the count
  // of dropped lines with it.
  const std::string seen = pipe.DrainUntil("the reserved line\n");
  EXPECT_TRUE(absl::StrContains(seen, "the reserved line\n"));
  EXPECT_GE(accepted, 1u);
  writer.TryWrite("after");
  const std::string rest = pipe.DrainUntil("after\n");
  EXPECT_TRUE(absl::StrContains(seen + rest, "dropped ")) << "no count of dropped lines";
}

}  // namespace
}  // namespace backinstock::logging
