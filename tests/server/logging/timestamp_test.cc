// The hand-written log timestamp (server/logging/timestamp.h) is exactly what
// absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, UTC) gives, for any time.
#include "server/logging/timestamp.h"

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace backinstock::logging {
namespace {

std::string Reference(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

TEST(Timestamp, KnownValues) {
  EXPECT_EQ(FormatTimestamp(absl::UnixEpoch()), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMillis(1795961123456)), "2026-11-29T14:05:23.456Z");
  // Truncated, not rounded.
  EXPECT_EQ(FormatTimestamp(absl::FromUnixNanos(999999999)), "1970-01-01T00:00:00.999Z");
  // Before the epoch the second is rounded toward the past.
  EXPECT_EQ(FormatTimestamp(absl::FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(Timestamp, MatchesFormatTimeEverywhere) {
  std::vector<absl::Time> times = {
      absl::InfiniteFuture(),
      absl::InfinitePast(),
      absl::FromUnixSeconds(-62167219200),                            // 0000-01-01
      absl::FromUnixSeconds(-62167219200) - absl::Nanoseconds(1),     // year -1
      absl::FromUnixSeconds(-30610224000),                            // 1000-01-01
      absl::FromUnixSeconds(-30610224000) - absl::Nanoseconds(1),     // 999-12-31
      absl::FromUnixSeconds(253402300799) + absl::Milliseconds(999),  // 9999-12-31
      absl::FromUnixSeconds(253402300800),                            // year 10000
      absl::FromUnixNanos(-1),
      absl::FromUnixNanos(1),
      absl::FromUnixSeconds(951782400),  // 2000-02-29
  };
  std::mt19937_64 random(42);
  for (int i = 0; i < 20000; ++i) {
    // Seconds across 0000-9999 and beyond, with a random sub-second part.
    const int64_t second =
        std::uniform_int_distribution<int64_t>(-70000000000, 260000000000)(random);
    times.push_back(
        absl::FromUnixSeconds(second) +
        absl::Nanoseconds(std::uniform_int_distribution<int64_t>(0, 999999999)(random)));
  }
  // Runs of nearby times, which exercise the per-second cache.
  absl::Time t = absl::FromUnixMillis(1795961123000);
  for (int i = 0; i < 5000; ++i) {
    t += absl::Microseconds(std::uniform_int_distribution<int>(0, 3000)(random));
    times.push_back(t);
    times.push_back(t - absl::Hours(24 * 365));  // and back and forth
  }
  for (absl::Time time : times) ASSERT_EQ(FormatTimestamp(time), Reference(time)) << time;
}

TEST(Timestamp, AppendsAndIsPerThread) {
  std::string line = "x";
  AppendTimestamp(absl::FromUnixMillis(5), &line);
  EXPECT_EQ(line, "x1970-01-01T00:00:00.005Z");

  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int n = 0; n < 4; ++n) {
    threads.emplace_back([n, &mismatches] {
      for (int i = 0; i < 20000; ++i) {
        const absl::Time time = absl::FromUnixMillis(1795961123000LL + n * 86400000LL + i * 7);
        if (FormatTimestamp(time) != Reference(time)) ++mismatches[n];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int n = 0; n < 4; ++n) EXPECT_EQ(mismatches[n], 0) << "thread " << n;
}

}  // namespace
}  // namespace backinstock::logging
