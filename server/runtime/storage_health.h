// "backinstock.store" in grpc.health.v1 for the journal-backed stores: the
// server leaves rotation when a journal fails.
#ifndef BACKINSTOCK_SERVER_RUNTIME_STORAGE_HEALTH_H_
#define BACKINSTOCK_SERVER_RUNTIME_STORAGE_HEALTH_H_

#include <grpcpp/server.h>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::runtime {

// Takes the server out of rotation when a journal fails (disk full, I/O
// error): every write would get UNAVAILABLE until a restart, so load balancers
// should send traffic elsewhere. Shared with the journals, which report from
// whichever thread saw the failure (a committer, or a writer syncing its own
// record while it holds a site lock: Fail must stay short and never call back
// into a store), possibly before the server is built or while it is torn down.
class StorageHealth {
 public:
  void Fail(const absl::Status& failure);
  // The server to report to (nullptr: none any more). "backinstock.store"
  // says whether writes can be stored, as with --store=etcd; an earlier
  // failure applies at once.
  void Attach(grpc::Server* server);

 private:
  absl::Mutex mu_;
  grpc::Server* server_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace backinstock::runtime

#endif  // BACKINSTOCK_SERVER_RUNTIME_STORAGE_HEALTH_H_
