// Hands each call's authorization decision from the interceptor, which makes
// it, to the gate, which enforces it. gRPC 1.51 gives interceptors no way to
// attach data to a call, so decisions are kept by server context address for
// exactly the life of the call's interceptor.
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
  void Put(const void* call, std::shared_ptr<const Decision> decision);
  void Erase(const void* call);
  // The decision recorded for `call`, or null when none was.
  std::shared_ptr<const Decision> Find(const void* call) const;

 private:
  // Sharded so that concurrent calls rarely share a lock.
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<const void*, std::shared_ptr<const Decision>> decisions
        ABSL_GUARDED_BY(mu);
  };
  Shard& ShardFor(const void* call) const {
    return shards_[absl::Hash<const void*>{}(call) % kShards];
  }
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_CALL_REGISTRY_H_
