// backinstock-bench-memory: the resident memory the in-memory settings store
// takes per site. Stores `--sites` GUID-shaped sites with one app each into a
// store::MemorySettingsStore and reports the growth of the process's RSS
// divided by the number of sites. Site names are generated one at a time, so
// only what the store keeps is counted.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "bench/micro/site_names.h"
#include "nlohmann/json.hpp"
#include "server/domain/settings_manager.h"
#include "server/store/memory_settings_store.h"

ABSL_FLAG(int32_t, sites, 1'000'000, "sites to store, each with one app");
ABSL_FLAG(bool, json, false, "print one JSON object instead of text");

namespace {

// Resident set size in bytes, from /proc/self/statm (second field, pages).
int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * sysconf(_SC_PAGESIZE);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace backinstock;
  absl::SetProgramUsageMessage("RSS per site of the in-memory settings store.");
  absl::ParseCommandLine(argc, argv);
  const int sites = absl::GetFlag(FLAGS_sites);
  if (sites < 1) {
    std::fprintf(stderr, "backinstock-bench-memory: --sites must be at least 1\n");
    return 2;
  }

  // The record every site gets (one app, collecting), built once.
  const store::SettingsRecord record{1, {{std::string(domain::kWixStoresAppId), true}}};
  store::MemorySettingsStore store;
  const int64_t before = ResidentBytes();
  for (int i = 0; i < sites; ++i) {
    absl::Status stored = store.CompareAndSwap(bench::SiteName(i), 0, record);
    if (!stored.ok()) {
      std::fprintf(stderr, "backinstock-bench-memory: %s\n", std::string(stored.message()).c_str());
      return 1;
    }
  }
  const int64_t after = ResidentBytes();
  if (store.SiteCount() != static_cast<size_t>(sites)) {
    std::fprintf(stderr, "backinstock-bench-memory: the store holds %zu sites, not %d\n",
                 store.SiteCount(), sites);
    return 1;
  }

  const double per_site = static_cast<double>(after - before) / sites;
  if (absl::GetFlag(FLAGS_json)) {
    nlohmann::json report = {{"sites", sites},
                             {"rss_before_bytes", before},
                             {"rss_after_bytes", after},
                             {"bytes_per_site", per_site}};
    std::cout << report.dump(2) << std::endl;
  } else {
    std::printf("%d sites with one app each: RSS %.1f MiB -> %.1f MiB, %.1f bytes per site\n",
                sites, before / 1048576.0, after / 1048576.0, per_site);
  }
  return 0;
}
