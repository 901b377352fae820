// The audit log: one JSON line for every elevated call and every denied call.
// Lines are never dropped (the writer blocks when its queue is full) and never
// contain tokens.
#ifndef BACKINSTOCK_SERVER_AUTH_AUDIT_LOG_H_
#define BACKINSTOCK_SERVER_AUTH_AUDIT_LOG_H_

#include <memory>
#include <string>

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
};

// The JSON line of one record (exposed for tests).
std::string FormatAuditLine(const AuditRecord& record);

class AuditLog {
 public:
  explicit AuditLog(std::unique_ptr<logging::LineWriter> writer) : writer_(std::move(writer)) {}

  void Record(const AuditRecord& record) { writer_->Write(FormatAuditLine(record)); }
  void Flush() { writer_->Flush(); }

 private:
  std::unique_ptr<logging::LineWriter> writer_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_AUDIT_LOG_H_
