#include "server/metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace backinstock::metrics {
namespace {

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Entries of /proc/self/fd, less the one this count opens to read it.
std::optional<double> OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count - 1;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(absl::string_view line) {
  const size_t close = line.rfind(')');
  if (close == absl::string_view::npos) return std::nullopt;
  // After "pid (comm) " come fields 3 (state), 4, ...
  std::vector<absl::string_view> fields =
      absl::StrSplit(line.substr(close + 1), ' ', absl::SkipEmpty());
  constexpr size_t kFirst = 3;
  auto field = [&](size_t number, double* out) {
    return number - kFirst < fields.size() &&
           absl::SimpleAtod(absl::StripAsciiWhitespace(fields[number - kFirst]), out);
  };
  ProcStat stat;
  if (!field(14, &stat.user_ticks) || !field(15, &stat.system_ticks) ||
      !field(22, &stat.start_ticks_since_boot) || !field(23, &stat.virtual_bytes) ||
      !field(24, &stat.resident_pages)) {
    return std::nullopt;
  }
  return stat;
}

std::optional<double> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      double seconds;
      if (absl::SimpleAtod(absl::StripAsciiWhitespace(line), &seconds)) return seconds;
    }
  }
  return std::nullopt;
}

void CollectProcess(TextWriter& writer) {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    writer.Family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                  Type::kCounter);
    writer.Sample("process_cpu_seconds_total", "", cpu);
  }
  std::optional<std::string> self_stat = ReadFile("/proc/self/stat");
  std::optional<ProcStat> stat = self_stat ? ParseProcStat(*self_stat) : std::nullopt;
  if (stat) {
    writer.Family("process_resident_memory_bytes", "Resident memory size in bytes.", Type::kGauge);
    writer.Sample("process_resident_memory_bytes", "",
                  stat->resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE)));
    writer.Family("process_virtual_memory_bytes", "Virtual memory size in bytes.", Type::kGauge);
    writer.Sample("process_virtual_memory_bytes", "", stat->virtual_bytes);
  }
  if (std::optional<double> fds = OpenFds()) {
    writer.Family("process_open_fds", "Number of open file descriptors.", Type::kGauge);
    writer.Sample("process_open_fds", "", *fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    writer.Family("process_max_fds", "Maximum number of open file descriptors.", Type::kGauge);
    writer.Sample("process_max_fds", "", static_cast<double>(limit.rlim_cur));
  }
  std::optional<std::string> system_stat = ReadFile("/proc/stat");
  std::optional<double> boot = system_stat ? ParseBootTime(*system_stat) : std::nullopt;
  if (stat && boot) {
    writer.Family("process_start_time_seconds",
                  "Start time of the process since unix epoch in seconds.", Type::kGauge);
    writer.Sample("process_start_time_seconds", "",
                  *boot + stat->start_ticks_since_boot / static_cast<double>(sysconf(_SC_CLK_TCK)));
  }
}

}  // namespace backinstock::metrics
