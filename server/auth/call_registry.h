// Hands each call's authorization decision from the interceptor, which makes
// it, to the gate, which enforces it, and to the call log. gRPC 1.51 gives
// interceptors no way to attach data to a call, so decisions are kept by
// server context address.
//
// The server's one interceptor Puts a call's decision and Erases it when the
// call's interceptor goes. Hold/Release let several readers share an entry
// (the decision stays until the last holder lets go), for when more than one
// object needs the decision beyond the interceptor's own lifetime.
#ifndef BACKINSTOCK_SERVER_AUTH_CALL_REGISTRY_H_
#define BACKINSTOCK_SERVER_AUTH_CALL_REGISTRY_H_

#include <array>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"
#include "server/auth/authorizer.h"

namespace backinstock::auth {

class CallRegistry {
 public:
  void Hold(const void* call);
  void Release(const void* call);
  // Records the decision of a call (held or not: an unheld one is kept
  // until Erase).
  void Put(const void* call, std::shared_ptr<const Decision> decision);
  void Erase(const void* call);
  // The decision recorded for `call`, or null when none was.
  std::shared_ptr<const Decision> Find(const void* call) const;

 private:
  struct Entry {
    std::shared_ptr<const Decision> decision;
    int holders = 0;
  };
  // Sharded so that concurrent calls rarely share a lock.
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<const void*, Entry> entries ABSL_GUARDED_BY(mu);
  };
  Shard& ShardFor(const void* call) const {
    return shards_[absl::Hash<const void*>{}(call) % kShards];
  }
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_CALL_REGISTRY_H_
