// The server's own log: startup, warnings and one line per call, as text or
// JSON lines on stderr, written asynchronously.
#ifndef BACKINSTOCK_SERVER_LOGGING_LOG_H_
#define BACKINSTOCK_SERVER_LOGGING_LOG_H_

#include <initializer_list>
#include <string>
#include <variant>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace backinstock::logging {

enum class Format { kText, kJson };
enum class Severity { kInfo, kWarning, kError };

// "text" or "json".
absl::Status SetFormat(absl::string_view name);

// One key/value of a structured line.
struct Field {
  absl::string_view key;
  std::variant<absl::string_view, int64_t, double> value;
};

// Writes one line: time, severity, message and fields. Never blocks on I/O;
// under extreme load lines may be dropped (and counted) rather than slow calls.
// `fields` is usually a braced list; a span lets a caller leave some out.
void Log(Severity severity, absl::string_view message, absl::Span<const Field> fields = {});

inline void Info(absl::string_view message, absl::Span<const Field> fields = {}) {
  Log(Severity::kInfo, message, fields);
}
inline void Warning(absl::string_view message, absl::Span<const Field> fields = {}) {
  Log(Severity::kWarning, message, fields);
}
inline void Error(absl::string_view message, absl::Span<const Field> fields = {}) {
  Log(Severity::kError, message, fields);
}

// Waits until every line logged so far is written.
void Flush();

}  // namespace backinstock::logging

#endif  // BACKINSTOCK_SERVER_LOGGING_LOG_H_
