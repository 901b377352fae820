// The one error every store that persists answers when its storage (the
// journal under --data_dir, or etcd) cannot take a write: UNAVAILABLE, reason
// STORAGE_UNAVAILABLE. The write's outcome is then unknown (its record may be
// on disk, or committed in etcd, and reappear).
#ifndef BACKINSTOCK_SERVER_STORE_STORAGE_UNAVAILABLE_H_
#define BACKINSTOCK_SERVER_STORE_STORAGE_UNAVAILABLE_H_

#include "absl/status/status.h"

namespace backinstock::store {

// `cause` is what the storage returned; its message is kept.
absl::Status StorageUnavailable(const absl::Status& cause);

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_STORAGE_UNAVAILABLE_H_
