#include "server/store/storage_unavailable.h"

#include "absl/strings/str_cat.h"
#include "server/errors/error.h"

namespace backinstock::store {

absl::Status StorageUnavailable(const absl::Status& journal_error) {
  return errors::Error(absl::StatusCode::kUnavailable, "STORAGE_UNAVAILABLE",
                       absl::StrCat("the change could not be stored: ", journal_error.message()));
}

}  // namespace backinstock::store
