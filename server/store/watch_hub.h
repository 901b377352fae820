// Per-site fan-out of committed changes to subscribers (watch streams). The
// publisher calls every subscriber of the site in commit order while holding the
// hub's lock, so callbacks must be quick and must never block: they hand the
// value to their stream and return.
#ifndef BACKINSTOCK_SERVER_STORE_WATCH_HUB_H_
#define BACKINSTOCK_SERVER_STORE_WATCH_HUB_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::store {

// Ends a subscription when destroyed. Once the destructor returns, the callback
// is not running and will not run again. Never destroy it from inside its own
// callback.
class Subscription {
 public:
  virtual ~Subscription() = default;
};

template <typename Value>
class WatchHub {
 public:
  using Callback = std::function<void(const Value&)>;

  // Subscribes to `site`. When `current` is given, the callback first receives
  // it, under the same lock that orders publications, so the subscriber misses
  // nothing between the current value and the next change.
  std::unique_ptr<Subscription> Subscribe(absl::string_view site, Callback callback,
                                          const Value* current = nullptr) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    const uint64_t id = next_id_++;
    if (current != nullptr) callback(*current);
    subscribers_[site].emplace_back(id, std::move(callback));
    return std::make_unique<Handle>(this, std::string(site), id);
  }

  void Publish(absl::string_view site, const Value& value) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = subscribers_.find(site);
    if (it == subscribers_.end()) return;
    for (auto& [id, callback] : it->second) callback(value);
  }

 private:
  class Handle : public Subscription {
   public:
    Handle(WatchHub* hub, std::string site, uint64_t id)
        : hub_(hub), site_(std::move(site)), id_(id) {}
    ~Handle() override { hub_->Remove(site_, id_); }

   private:
    WatchHub* hub_;
    std::string site_;
    uint64_t id_;
  };

  void Remove(const std::string& site, uint64_t id) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = subscribers_.find(site);
    if (it == subscribers_.end()) return;
    auto& list = it->second;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].first == id) {
        list.erase(list.begin() + static_cast<ptrdiff_t>(i));
        break;
      }
    }
    if (list.empty()) subscribers_.erase(it);
  }

  mutable absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  absl::flat_hash_map<std::string, std::vector<std::pair<uint64_t, Callback>>> subscribers_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_WATCH_HUB_H_
