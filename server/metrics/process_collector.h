// The standard process_* families (as Prometheus client libraries name them),
// read from /proc/self and getrusage at scrape time.
#ifndef BACKINSTOCK_SERVER_METRICS_PROCESS_COLLECTOR_H_
#define BACKINSTOCK_SERVER_METRICS_PROCESS_COLLECTOR_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "server/metrics/exposition.h"

namespace backinstock::metrics {

// What /proc/<pid>/stat holds that process_* needs (and the CPU times, which
// the delivery benchmark reads of its SMTP sink).
struct ProcStat {
  double user_ticks = 0;              // field 14 (utime), in clock ticks
  double system_ticks = 0;            // field 15 (stime), in clock ticks
  double start_ticks_since_boot = 0;  // field 22, in clock ticks
  double virtual_bytes = 0;           // field 23
  double resident_pages = 0;          // field 24
};

// Parses a /proc/<pid>/stat line; nullopt if it is not one. The command name
// (field 2) may hold spaces and parentheses: fields are counted after the
// last ')'.
std::optional<ProcStat> ParseProcStat(absl::string_view line);

// The "btime" line of /proc/stat: boot time in seconds since the epoch.
std::optional<double> ParseBootTime(absl::string_view proc_stat);

// Writes process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds. A figure that cannot be read is left out.
void CollectProcess(TextWriter& writer);

}  // namespace backinstock::metrics

#endif  // BACKINSTOCK_SERVER_METRICS_PROCESS_COLLECTOR_H_
