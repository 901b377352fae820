#include "server/auth/audit_log.h"

#include "nlohmann/json.hpp"

namespace backinstock::auth {

std::string FormatAuditLine(const AuditRecord& record) {
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
  };
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace backinstock::auth
