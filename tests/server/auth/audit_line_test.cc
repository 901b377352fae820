// The audit line formatter (server/auth/audit_log.h) against hostile values:
// every line is one valid JSON object whose values parse back exactly (or,
// for invalid UTF-8, with U+FFFD in place of each ill-formed subpart), and is
// byte for byte what the nlohmann-based formatter it replaced produced.
#include <random>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/auth/audit_log.h"

namespace backinstock::auth {
namespace {

// The formatter as it was before it wrote lines by hand: the reference.
std::string ReferenceLine(const AuditRecord& record) {
  nlohmann::json line = {
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", record.time, absl::UTCTimeZone())},
      {"audit", true},
      {"method", record.method},
      {"site", record.site},
      {"caller_sub", record.caller_sub},
      {"caller_role", record.caller_role},
      {"elevated_by", record.elevated_by},
      {"jti", record.jti},
      {"code", record.code},
      {"reason", record.reason},
      {"event", record.event},
  };
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A record whose every string field is `value` with a different prefix, so
// that a mixed-up field shows.
AuditRecord RecordOf(const std::string& value) {
  AuditRecord record;
  record.time = absl::FromUnixMillis(1795961123456);
  record.method = "m" + value;
  record.site = "s" + value;
  record.caller_sub = "u" + value;
  record.caller_role = "r" + value;
  record.elevated_by = "e" + value;
  record.jti = "j" + value;
  record.code = "c" + value;
  record.reason = "x" + value;
  record.event = "v" + value;
  return record;
}

void ExpectFields(const nlohmann::json& parsed, const std::string& value) {
  EXPECT_EQ(parsed.at("method"), "m" + value);
  EXPECT_EQ(parsed.at("site"), "s" + value);
  EXPECT_EQ(parsed.at("caller_sub"), "u" + value);
  EXPECT_EQ(parsed.at("caller_role"), "r" + value);
  EXPECT_EQ(parsed.at("elevated_by"), "e" + value);
  EXPECT_EQ(parsed.at("jti"), "j" + value);
  EXPECT_EQ(parsed.at("code"), "c" + value);
  EXPECT_EQ(parsed.at("reason"), "x" + value);
  EXPECT_EQ(parsed.at("event"), "v" + value);
  EXPECT_EQ(parsed.at("audit"), true);
  EXPECT_EQ(parsed.at("time"), "2026-11-29T14:05:23.456Z");
  EXPECT_EQ(parsed.size(), 11u);
}

// A line is one line of valid JSON with no raw control byte in it.
nlohmann::json ParseLine(const std::string& line) {
  for (char c : line) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << line;
  return nlohmann::json::parse(line);  // throws (and fails the test) if invalid
}

TEST(AuditLine, ValidValuesRoundTripExactly) {
  std::string every_control;
  for (int c = 0; c < 0x20; ++c) every_control.push_back(static_cast<char>(c));
  const std::vector<std::string> values = {
      "",
      "plain",
      "\"quoted\" and \\backslashed\\ \\\"",
      "line\nbreak\r\n\ttab\b\f",
      every_control,
      std::string("nul\0inside", 10),
      "\x7f del",
      "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF \xEF\xBF\xBD",  // 2, 3, 4 bytes
      "</script><!-- \u2028 \u2029 -->",
      std::string(1 << 20, 'x') + "\"\n" + std::string(1 << 16, '\\'),  // very long
  };
  for (const std::string& value : values) {
    const std::string line = FormatAuditLine(RecordOf(value));
    ExpectFields(ParseLine(line), value);
    EXPECT_EQ(line, ReferenceLine(RecordOf(value)));
  }
}

TEST(AuditLine, InvalidUtf8BecomesOneReplacementPerIllFormedSubpart) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\x80", r},  // lone continuation byte
      {"a\xFF"
       "b",
       "a" + r + "b"},                      // never valid in UTF-8
      {"\xC0\xAF", r + r},                  // overlong '/'
      {"\xC3", r},                          // truncated at the end
      {"\xC3(", r + "("},                   // truncated by ASCII
      {"\xE0\x80\x80", r + r + r},          // overlong, rejected at the 2nd byte
      {"\xE2\x82", r},                      // truncated 3-byte sequence: one subpart
      {"\xE2\x82\"", r + "\""},             // ... and the quote after it is kept
      {"\xED\xA0\x80", r + r + r},          // a UTF-16 surrogate
      {"\xF0\x9F\x98", r},                  // truncated 4-byte sequence
      {"\xF4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\xF5\x80", r + r},
      {"ok\xF0\x9F\x98\x80\xF0\x9F"
       "ok",
       "ok\xF0\x9F\x98\x80" + r + "ok"},
  };
  for (const auto& [value, expected] : cases) {
    const std::string line = FormatAuditLine(RecordOf(value));
    ExpectFields(ParseLine(line), expected);
    EXPECT_EQ(line, ReferenceLine(RecordOf(value))) << "value bytes: " << value.size();
  }
}

TEST(AuditLine, RandomBytesMatchTheReferenceAndParse) {
  std::mt19937 random(20261129);
  // Bytes biased towards the interesting ones: controls, quotes, backslashes,
  // UTF-8 lead and continuation bytes.
  const std::string interesting = std::string("\"\\\n\r\t\b\f\x01\x1f\x7f", 11) +
                                  "\x80\xBF\xC2\xDF\xE0\xED\xEF\xF0\xF4\xF5\xFF\xA0\x9F\x90\x8F";
  for (int round = 0; round < 2000; ++round) {
    std::string value;
    const int length = std::uniform_int_distribution<int>(0, 40)(random);
    for (int i = 0; i < length; ++i) {
      const int pick = std::uniform_int_distribution<int>(0, 3)(random);
      value.push_back(pick == 0   ? static_cast<char>(random() & 0xFF)
                      : pick == 1 ? static_cast<char>('a' + random() % 26)
                                  : interesting[random() % interesting.size()]);
    }
    AuditRecord record = RecordOf(value);
    record.time =
        absl::FromUnixNanos(static_cast<int64_t>(random() % 4000000000ULL) * 1000000007LL);
    const std::string line = FormatAuditLine(record);
    ASSERT_EQ(line, ReferenceLine(record)) << "round " << round;
    const nlohmann::json parsed = ParseLine(line);
    EXPECT_EQ(parsed.at("site").get<std::string>().substr(0, 1), "s");
  }
}

TEST(AuditLine, EmptyRecordHasEveryKey) {
  AuditRecord record;
  record.time = absl::UnixEpoch();
  const std::string line = FormatAuditLine(record);
  EXPECT_EQ(
      line,
      R"({"audit":true,"caller_role":"","caller_sub":"","code":"","elevated_by":"","event":"",)"
      R"("jti":"","method":"","reason":"","site":"","time":"1970-01-01T00:00:00.000Z"})");
}

}  // namespace
}  // namespace backinstock::auth
