// The writes whose outcome a replica may have to find out (unknown-outcome
// resolution, see Committer): each write's nonce is registered before it is
// sent, and the cache notes at which revision a value carrying it was
// applied. A nonce nobody expects is not remembered, so the registry holds
// only the writes in flight.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_WRITER_REGISTRY_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_WRITER_REGISTRY_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::store::etcd {

class WriterRegistry {
 public:
  // Registers `writer` as not seen yet (a nonce already registered keeps what
  // was seen).
  void Expect(const std::string& writer) ABSL_LOCKS_EXCLUDED(mu_);
  // A value carrying `writer` was applied at `revision`: remembered when the
  // nonce is expected and was not seen before (the first one counts).
  void Seen(absl::string_view writer, int64_t revision) ABSL_LOCKS_EXCLUDED(mu_);
  // The revision at which `writer` was first seen; 0 when it was not (or is
  // not registered).
  int64_t SeenAt(const std::string& writer) const ABSL_LOCKS_EXCLUDED(mu_);
  void Forget(const std::string& writer) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int64_t> seen_at_ ABSL_GUARDED_BY(mu_);  // nonce -> revision
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_WRITER_REGISTRY_H_
