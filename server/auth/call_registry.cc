#include "server/auth/call_registry.h"

namespace backinstock::auth {

void CallRegistry::Put(const void* call, std::shared_ptr<const Decision> decision) {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  shard.decisions[call] = std::move(decision);
}

void CallRegistry::Erase(const void* call) {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  shard.decisions.erase(call);
}

std::shared_ptr<const Decision> CallRegistry::Find(const void* call) const {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.decisions.find(call);
  return it == shard.decisions.end() ? nullptr : it->second;
}

}  // namespace backinstock::auth
