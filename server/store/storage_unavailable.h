// The one error every durable store answers when its journal cannot take a
// write: UNAVAILABLE, reason STORAGE_UNAVAILABLE. The write's outcome is then
// unknown (its record may be on disk and reappear after a restart).
#ifndef BACKINSTOCK_SERVER_STORE_STORAGE_UNAVAILABLE_H_
#define BACKINSTOCK_SERVER_STORE_STORAGE_UNAVAILABLE_H_

#include "absl/status/status.h"

namespace backinstock::store {

// `journal_error` is what the journal returned; its message is kept.
absl::Status StorageUnavailable(const absl::Status& journal_error);

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_STORAGE_UNAVAILABLE_H_
