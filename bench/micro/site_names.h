// Site ids for micro-benchmarks: GUID-shaped like real Wix site ids (and like
// the load generator's), so hashing and copying cost what they will in service.
#ifndef BACKINSTOCK_BENCH_MICRO_SITE_NAMES_H_
#define BACKINSTOCK_BENCH_MICRO_SITE_NAMES_H_

#include <string>

#include "absl/strings/str_format.h"

namespace backinstock::bench {

inline std::string SiteName(uint64_t i) {
  return absl::StrFormat("%08x-be0c-4000-8000-%012x", i, i);
}

}  // namespace backinstock::bench

#endif  // BACKINSTOCK_BENCH_MICRO_SITE_NAMES_H_
