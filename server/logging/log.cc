#include "server/logging/log.h"

#include <atomic>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/logging/line_writer.h"
#include "server/logging/redact.h"
#include "server/logging/timestamp.h"

namespace backinstock::logging {
namespace {

std::atomic<Format> g_format{Format::kText};

LineWriter& Stderr() {
  // Deliberately leaked: must outlive every static destructor that might log.
  static LineWriter* writer = new LineWriter(stderr, false, LineWriter::WhenFull::kDrop, 65536);
  return *writer;
}

absl::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kError:
      return "ERROR";
  }
  return "INFO";
}

// Text values are quoted when they hold a space, a quote or '='.
void AppendTextValue(absl::string_view value, std::string* line) {
  // A plain loop: string_view::find_first_of builds a lookup table on each call.
  bool plain = !value.empty();
  for (const char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n') {
      plain = false;
      break;
    }
  }
  if (plain) {
    line->append(value.data(), value.size());
    return;
  }
  line->append(nlohmann::json(std::string(value)).dump());
}

// "%.3f" of `value` (the same digits: std::to_chars rounds exactly as printf
// does), without the format interpreter: a call line's latency is written on
// every call.
void AppendFixed3(double value, std::string* line) {
  char buffer[64];
  const std::to_chars_result result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::fixed, 3);
  if (result.ec == std::errc()) {
    line->append(buffer, result.ptr);
  } else {
    line->append(absl::StrFormat("%.3f", value));
  }
}

// The text line, built in one buffer: this runs once per call (the call log).
// Email addresses in the message and text fields are redacted (redact.h).
std::string TextLine(Severity severity, absl::string_view message, absl::Span<const Field> fields) {
  std::string line;
  line.reserve(160);
  AppendTimestamp(absl::Now(), &line);
  line.push_back(' ');
  const absl::string_view severity_name = SeverityName(severity);
  line.append(severity_name.data(), severity_name.size());
  line.push_back(' ');
  AppendRedactingEmails(message, &line);
  for (const Field& field : fields) {
    line.push_back(' ');
    line.append(field.key.data(), field.key.size());
    line.push_back('=');
    if (const auto* text = std::get_if<absl::string_view>(&field.value)) {
      if (text->find('@') == absl::string_view::npos) {
        AppendTextValue(*text, &line);
      } else {
        AppendTextValue(RedactEmails(*text), &line);
      }
    } else if (const auto* number = std::get_if<double>(&field.value)) {
      AppendFixed3(*number, &line);
    } else {
      absl::StrAppend(&line, std::get<int64_t>(field.value));
    }
  }
  return line;
}

}  // namespace

absl::Status SetFormat(absl::string_view name) {
  if (name == "text") {
    g_format = Format::kText;
  } else if (name == "json") {
    g_format = Format::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--log_format must be text or json, not \"", name, "\""));
  }
  return absl::OkStatus();
}

void Log(Severity severity, absl::string_view message, absl::Span<const Field> fields) {
  if (g_format.load(std::memory_order_relaxed) != Format::kJson) {
    Stderr().Write(TextLine(severity, message, fields));
    return;
  }
  nlohmann::json object = {{"time", FormatTimestamp(absl::Now())},
                           {"severity", SeverityName(severity)},
                           {"msg", RedactEmails(message)}};
  for (const Field& field : fields) {
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, absl::string_view>) {
            object[std::string(field.key)] = RedactEmails(v);
          } else {
            object[std::string(field.key)] = v;
          }
        },
        field.value);
  }
  Stderr().Write(object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Flush() { Stderr().Flush(); }

}  // namespace backinstock::logging
