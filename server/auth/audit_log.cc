#include "server/auth/audit_log.h"

#include <cstdint>
#include <initializer_list>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/logging/log.h"
#include "server/logging/timestamp.h"

namespace backinstock::auth {
namespace {

// The line is written directly rather than through a JSON library: building a
// nlohmann::json object (a std::map of ten strings) and dumping it was about
// 15% of the server's CPU on elevated calls. The output is byte for byte what
// nlohmann's dump(-1, ' ', /*ensure_ascii=*/false, error_handler_t::replace)
// gave for the same object, which the tests check on hostile values:
//   - keys in sorted order (nlohmann objects are std::maps);
//   - '"' and '\\' escaped, \b \f \n \r \t by name, other bytes below 0x20 as
//     \u00xx (lowercase hex), everything else (0x7f and valid UTF-8) as is;
//   - invalid UTF-8 replaced by U+FFFD, one per maximal ill-formed subpart
//     (the Unicode "best practice" nlohmann's decoder follows), so the line is
//     always valid UTF-8 and valid JSON.

constexpr char kHex[] = "0123456789abcdef";
constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// The length of the well-formed UTF-8 sequence starting at s[i] (a byte >=
// 0x80), or, when it is ill-formed, minus the length of its maximal subpart
// (the longest prefix that could start a well-formed sequence; at least 1).
// Ranges from Unicode's table 3-7 (no overlongs, no surrogates, <= U+10FFFF).
int Utf8Sequence(absl::string_view s, size_t i) {
  const auto lead = static_cast<uint8_t>(s[i]);
  if (lead < 0xC2 || lead > 0xF4) return -1;
  const int continuations = lead < 0xE0 ? 1 : lead < 0xF0 ? 2 : 3;
  uint8_t low = 0x80, high = 0xBF;  // range of the second byte
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  int length = 1;
  for (int j = 1; j <= continuations; ++j) {
    if (i + j >= s.size()) return -length;
    const auto byte = static_cast<uint8_t>(s[i + j]);
    if (byte < low || byte > high) return -length;
    low = 0x80;
    high = 0xBF;
    ++length;
  }
  return length;
}

// Appends `value` as a JSON string (quotes included). Runs of bytes that need
// no escaping are appended in one piece.
void AppendJsonString(absl::string_view value, std::string* out) {
  out->push_back('"');
  size_t run = 0;  // start of the bytes not yet appended
  size_t i = 0;
  while (i < value.size()) {
    const auto byte = static_cast<uint8_t>(value[i]);
    if (byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\') {
      ++i;
      continue;
    }
    if (byte >= 0x80) {
      const int length = Utf8Sequence(value, i);
      if (length > 0) {
        i += length;
        continue;
      }
      out->append(value.data() + run, i - run);
      out->append(kReplacement, 3);
      i += -length;
      run = i;
      continue;
    }
    out->append(value.data() + run, i - run);
    switch (byte) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default: {
        const char escape[6] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        out->append(escape, 6);
      }
    }
    ++i;
    run = i;
  }
  out->append(value.data() + run, value.size() - run);
  out->push_back('"');
}

}  // namespace

std::string FormatAuditLine(const AuditRecord& record) {
  // Keys in sorted order (see above); "audit" (true) and "time" are written
  // apart from the string fields.
  const std::initializer_list<std::pair<absl::string_view, const std::string*>> fields = {
      {"caller_role", &record.caller_role},
      {"caller_sub", &record.caller_sub},
      {"code", &record.code},
      {"elevated_by", &record.elevated_by},
      {"event", &record.event},
      {"jti", &record.jti},
      {"method", &record.method},
      {"reason", &record.reason},
      {"site", &record.site},
  };
  // One allocation: the skeleton, the values, and some room for escapes (a
  // value that needs more only costs the string's usual growth).
  size_t size = sizeof(R"({"audit":true,"time":""})") + logging::kTimestampLength + 32;
  for (const auto& [key, value] : fields) size += key.size() + value->size() + 6;
  std::string line;
  line.reserve(size);
  line.append(R"({"audit":true)");
  for (const auto& [key, value] : fields) {
    line.append(",\"");
    line.append(key.data(), key.size());
    line.append("\":");
    AppendJsonString(*value, &line);
  }
  line.append(R"(,"time":")");
  logging::AppendTimestamp(record.time, &line);
  line.append("\"}");
  return line;
}

void AuditLog::RecordDenied(const AuditRecord& record) {
  if (writer_->TryWrite(FormatAuditLine(record))) return;
  const uint64_t dropped = ++dropped_denied_;
  if (dropped == 1 || dropped % 10000 == 0) {
    logging::Warning("audit log is full: lines of denied calls are dropped (and counted)",
                     {{"dropped", static_cast<int64_t>(dropped)}});
  }
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(
    const std::string& path, std::function<void(const absl::Status&)> on_health,
    size_t max_pending) {
  logging::LineWriter::Options options;
  options.max_pending = max_pending;
  options.on_health = std::move(on_health);
  // Still one JSON object per line, so that the file stays machine-readable.
  options.dropped_line = [](uint64_t dropped) {
    std::string line =
        absl::StrCat(R"({"audit":true,"denied_lines_dropped":)", dropped, R"(,"time":")");
    logging::AppendTimestamp(absl::Now(), &line);
    line.append("\"}");
    return line;
  };
  absl::StatusOr<std::unique_ptr<logging::LineWriter>> writer =
      logging::LineWriter::Open(path, std::move(options));
  if (!writer.ok()) return writer.status();
  return std::make_unique<AuditLog>(*std::move(writer));
}

}  // namespace backinstock::auth
