#include "server/store/etcd/writer_registry.h"

namespace backinstock::store::etcd {

void WriterRegistry::Expect(const std::string& writer) {
  absl::MutexLock lock(&mu_);
  seen_at_.try_emplace(writer, 0);
}

void WriterRegistry::Seen(absl::string_view writer, int64_t revision) {
  absl::MutexLock lock(&mu_);
  auto it = seen_at_.find(writer);
  if (it != seen_at_.end() && it->second == 0) it->second = revision;
}

int64_t WriterRegistry::SeenAt(const std::string& writer) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = seen_at_.find(writer);
  return it == seen_at_.end() ? 0 : it->second;
}

void WriterRegistry::Forget(const std::string& writer) {
  absl::MutexLock lock(&mu_);
  seen_at_.erase(writer);
}

}  // namespace backinstock::store::etcd
