#include "server/logging/log.h"

#include <atomic>

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
    case Severity::kInfo: return "INFO";
    case Severity::kWarning: return "WARNING";
    case Severity::kError: return "ERROR";
  }
  return "INFO";
}

// Text values are quoted when they hold a space, a quote or '='.
std::string TextValue(absl::string_view value) {
  if (!value.empty() && value.find_first_of(" \"=\n") == absl::string_view::npos) {
    return std::string(value);
  }
  return nlohmann::json(std::string(value)).dump();
}

}  // namespace

absl::Status SetFormat(absl::string_view name) {
  if (name == "text") {
    g_format = Format::kText;
  } else if (name == "json") {
    g_format = Format::kJson;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("--log_format must be text or json, not \"",
                                                   name, "\""));
  }
  return absl::OkStatus();
}

void Log(Severity severity, absl::string_view message, absl::Span<const Field> fields) {
  const std::string time = FormatTimestamp(absl::Now());
  std::string line;
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    nlohmann::json object = {{"time", time}, {"severity", SeverityName(severity)},
                             {"msg", RedactEmails(message)}};
    for (const Field& field : fields) {
      std::visit([&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, absl::string_view>) {
          object[std::string(field.key)] = RedactEmails(v);
        } else {
          object[std::string(field.key)] = v;
        }
      }, field.value);
    }
    line = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = absl::StrCat(time, " ", SeverityName(severity), " ", RedactEmails(message));
    for (const Field& field : fields) {
      std::visit([&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, absl::string_view>) {
          absl::StrAppend(&line, " ", field.key, "=", TextValue(RedactEmails(v)));
        } else if constexpr (std::is_same_v<V, double>) {
          absl::StrAppend(&line, " ", field.key, "=", absl::StrFormat("%.3f", v));
        } else {
          absl::StrAppend(&line, " ", field.key, "=", v);
        }
      }, field.value);
    }
  }
  Stderr().Write(std::move(line));
}

void Flush() { Stderr().Flush(); }

}  // namespace backinstock::logging
