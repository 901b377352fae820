#include "server/store/storage_unavailable.h"

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"

namespace backinstock::store {

absl::Status StorageUnavailable(const absl::Status& cause) {
  return errors::Error(absl::StatusCode::kUnavailable, "STORAGE_UNAVAILABLE",
                       absl::StrCat("the change could not be stored: ", cause.message()));
}

}  // namespace backinstock::store
