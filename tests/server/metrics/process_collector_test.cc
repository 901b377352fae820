// process_* read from /proc: the parsing of /proc/<pid>/stat and /proc/stat,
// and the figures of this very process.
#include "server/metrics/process_collector.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "tests/support/metrics_client.h"

namespace backinstock::metrics {
namespace {

TEST(ProcessCollectorTest, ParsesStatEvenWhenTheCommandHoldsSpacesAndParentheses) {
  // Fields 1-2, then 3..24: utime (14) 11, stime (15) 12, start time (22)
  // 4242, vsize (23) 81920, rss (24) 7.
  const std::string line =
      "123 (a) b (c) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 4242 81920 7 "
      "18446744073709551615 "
      "0 0\n";
  std::optional<ProcStat> stat = ParseProcStat(line);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->user_ticks, 11);
  EXPECT_EQ(stat->system_ticks, 12);
  EXPECT_EQ(stat->start_ticks_since_boot, 4242);
  EXPECT_EQ(stat->virtual_bytes, 81920);
  EXPECT_EQ(stat->resident_pages, 7);
}

TEST(ProcessCollectorTest, RefusesTruncatedOrGarbledStat) {
  EXPECT_FALSE(ParseProcStat("").has_value());
  EXPECT_FALSE(ParseProcStat("123 (x) S 1 2 3").has_value());
  EXPECT_FALSE(ParseProcStat("no parenthesis at all 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
                             "19 20 21 22 23 24")
                   .has_value());
}

TEST(ProcessCollectorTest, FindsBootTime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000);
  EXPECT_FALSE(ParseBootTime("cpu 1 2 3\n").has_value());
}

TEST(ProcessCollectorTest, ReportsThisProcess) {
  std::string page;
  TextWriter writer(&page);
  CollectProcess(writer);
  const std::map<std::string, double> samples = testing::ParsePage(page);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_open_fds", "process_max_fds",
                           "process_start_time_seconds"}) {
    ASSERT_EQ(samples.count(name), 1u) << name << " missing from\n" << page;
    EXPECT_GT(samples.at(name), 0) << name;
    EXPECT_NE(page.find(std::string("# TYPE ") + name), std::string::npos) << name;
  }
  EXPECT_GT(samples.at("process_resident_memory_bytes"), 1 << 20);
  // Started before now, and not before this machine's clocks began (2020).
  const double now = absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch());
  EXPECT_LE(samples.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(samples.at("process_start_time_seconds"), 1577836800);
  // A descriptor opened now is counted.
  const double before = samples.at("process_open_fds");
  const int fd = dup(1);
  std::string again;
  TextWriter again_writer(&again);
  CollectProcess(again_writer);
  close(fd);
  EXPECT_EQ(testing::ParsePage(again).at("process_open_fds"), before + 1);
}

}  // namespace
}  // namespace backinstock::metrics
