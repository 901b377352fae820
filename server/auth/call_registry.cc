#include "server/auth/call_registry.h"

namespace backinstock::auth {

void CallRegistry::Hold(const void* call) {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  ++shard.entries[call].holders;
}

void CallRegistry::Release(const void* call) {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(call);
  if (it != shard.entries.end() && --it->second.holders <= 0) shard.entries.erase(it);
}

void CallRegistry::Put(const void* call, std::shared_ptr<const Decision> decision) {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  shard.entries[call].decision = std::move(decision);
}

void CallRegistry::Erase(const void* call) {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  shard.entries.erase(call);
}

std::shared_ptr<const Decision> CallRegistry::Find(const void* call) const {
  Shard& shard = ShardFor(call);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.entries.find(call);
  return it == shard.entries.end() ? nullptr : it->second.decision;
}

}  // namespace backinstock::auth
