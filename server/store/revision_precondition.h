// The precondition every versioned store write shares: a record's next
// revision is its expected revision plus one. Stated once here so that each
// backend's compare-and-swap starts from a record known to be well formed.
#ifndef BACKINSTOCK_SERVER_STORE_REVISION_PRECONDITION_H_
#define BACKINSTOCK_SERVER_STORE_REVISION_PRECONDITION_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace backinstock::store {

// INVALID_ARGUMENT unless `next_revision == expected_revision + 1`.
inline absl::Status CheckRevisionFollows(int64_t expected_revision, int64_t next_revision) {
  if (next_revision == expected_revision + 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("next revision ", next_revision, " does not follow ", expected_revision));
}

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_REVISION_PRECONDITION_H_
