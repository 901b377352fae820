// One bounded retention sweep: asks the store for up to `batch` expired
// requests, then deletes each through the store's ordinary revision-checked
// Delete (so each emits the DELETED event any delete emits), one at a time, so
// writers wait at most for one delete. Each goes through the domain's
// DeleteRecord: a request that changed since the store pointed it out is
// re-read and deleted only if it is still expired; one that went, or kept
// changing, is left for the next run. Nothing is lost when the
// process dies between two deletes: each is a write of its own.
#ifndef BACKINSTOCK_SERVER_RETENTION_SWEEP_H_
#define BACKINSTOCK_SERVER_RETENTION_SWEEP_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/retention/retention_policy.h"
#include "server/store/notification_request_store.h"

namespace backinstock::retention {

struct SweepResult {
  int64_t deleted_settled = 0;  // NOTIFICATION_SENT and FAILED requests deleted
  int64_t deleted_open = 0;     // RECEIVED requests deleted
  int64_t skipped = 0;          // changed, gone or no longer expired meanwhile
  bool batch_full = false;      // the store had `batch` candidates: more may wait
  // The store's error that ended the run early (after the deletes counted
  // above); OK when the run went through.
  absl::Status error;
  int64_t deleted() const { return deleted_settled + deleted_open; }
};

// `keep_going` is asked before each delete; false ends the run there (the
// sweeper is stopping, or no longer the replica that sweeps). An error status
// means the store could not name the candidates; a store error while deleting
// ends the run with what it did and SweepResult::error.
absl::StatusOr<SweepResult> SweepOnce(store::NotificationRequestStore& store,
                                      const RetentionPolicy& policy, absl::Time now, size_t batch,
                                      absl::FunctionRef<bool()> keep_going);

}  // namespace backinstock::retention

#endif  // BACKINSTOCK_SERVER_RETENTION_SWEEP_H_
