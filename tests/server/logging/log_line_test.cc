// The text log line (server/logging/log.cc), built by hand in one buffer for
// the call log, has the fields, quoting and "%.3f" numbers it always had.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"
#include "server/logging/log.h"

namespace backinstock::logging {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

// The lines logged while `log` runs (stderr captured, the writer flushed).
template <typename Fn>
std::string Logged(Fn log) {
  ::testing::internal::CaptureStderr();
  log();
  Flush();
  return ::testing::internal::GetCapturedStderr();
}

TEST(LogLine, TextFieldsQuotingAndNumbers) {
  const std::string out = Logged([] {
    Info("call", {{"method", "/backinstock.v1.S/M"},
                  {"site", ""},
                  {"code", "OK"},
                  {"latency_ms", 1.23456},
                  {"count", int64_t{-7}},
                  {"note", "a b=\"c\""}});
  });
  EXPECT_THAT(out, HasSubstr(" INFO call method=/backinstock.v1.S/M site=\"\" code=OK "
                             "latency_ms=1.235 count=-7 note=\"a b=\\\"c\\\"\"\n"));
  // The line starts with the timestamp.
  EXPECT_EQ(out.find('Z'), 23u) << out;
}

TEST(LogLine, NumbersAreWhatPrintfWrites) {
  for (const double value :
       {0.0, 0.0005, 0.0015, 2.5e-4, 0.9995, 1234.56789, 1e300, -3.14159, 123456789.0004999}) {
    const std::string out = Logged([value] { Warning("n", {{"v", value}}); });
    EXPECT_THAT(out, EndsWith(absl::StrFormat(" WARNING n v=%.3f\n", value))) << value;
  }
}

}  // namespace
}  // namespace backinstock::logging
