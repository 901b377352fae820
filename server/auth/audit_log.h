// The audit log: one JSON line for every elevated call and every denied call.
// Never contains tokens. No gRPC thread ever waits on it:
// - a call whose line must not be lost (one carrying a verified elevation)
//   sets room aside before it runs (Reserve); a call that gets none is refused
//   instead (AUDIT_UNAVAILABLE), so its line cannot be lost;
// - a denied call's line is dropped when the queue is full, and counted: the
//   log then says how many it lost.
#ifndef BACKINSTOCK_SERVER_AUTH_AUDIT_LOG_H_
#define BACKINSTOCK_SERVER_AUTH_AUDIT_LOG_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/logging/line_writer.h"

namespace backinstock::auth {

struct AuditRecord {
  absl::Time time;
  std::string method;
  std::string site;         // the verified caller's site; empty when unverified
  std::string caller_sub;   // the verified caller's sub
  std::string caller_role;  // the verified caller's role
  std::string elevated_by;  // the elevation token's sub, when one was verified
  std::string jti;          // the elevation token's jti, when one was verified
  std::string code;         // the call's final gRPC status code name
  std::string reason;       // the ErrorInfo reason of a denial
  std::string event;        // "start" for the line an elevated stream writes when it opens
};

// The JSON line of one record (exposed for tests).
std::string FormatAuditLine(const AuditRecord& record);

class AuditLog {
 public:
  explicit AuditLog(std::unique_ptr<logging::LineWriter> writer) : writer_(std::move(writer)) {}

  // Opens `path` ("-": stderr) with a queue of `max_pending` lines;
  // `on_health` hears when writing fails and when it works again.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(
      const std::string& path, std::function<void(const absl::Status&)> on_health,
      size_t max_pending = 65536);

  // Room for `lines` lines that must not be lost; false when the queue is
  // full or the log cannot be written. Never blocks.
  bool Reserve(size_t lines) { return writer_->Reserve(lines); }
  // Writes into reserved room. Never blocks, never drops.
  void RecordReserved(const AuditRecord& record) {
    writer_->WriteReserved(FormatAuditLine(record));
  }
  void Release(size_t lines) { writer_->Release(lines); }

  // A denied call's line: never blocks; dropped (and counted) when full.
  // The server log says so at the first drop and every 10,000th; the audit
  // log itself says how many it lost once it takes lines again.
  void RecordDenied(const AuditRecord& record);

  // Lines dropped so far, and whether the log is being written.
  uint64_t dropped() const { return writer_->dropped(); }
  bool healthy() const { return writer_->healthy(); }

  bool Flush(absl::Duration timeout = absl::InfiniteDuration()) { return writer_->Flush(timeout); }

 private:
  std::unique_ptr<logging::LineWriter> writer_;
  std::atomic<uint64_t> dropped_denied_{0};
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_AUDIT_LOG_H_
