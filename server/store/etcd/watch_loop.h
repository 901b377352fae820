// Follows everything under /backinstock/v1/ in etcd for the cache: reads the
// whole prefix at one revision, then watches from the next one. A broken
// stream resumes after the last revision handed over; a compacted one (the
// revision to resume from is gone) reads everything again and hands over the
// new state, so its owner can publish the difference. It owns the thread that
// runs the streams; what it reads goes to its owner's callbacks, in etcd's
// commit order.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_WATCH_LOOP_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_WATCH_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "server/store/etcd/cache_state.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/watch_stream.h"

namespace backinstock::store::etcd {

class WatchLoop {
 public:
  struct Callbacks {
    // A full read of the prefix at `revision`, built aside: at Start, and
    // whenever the history to resume from was compacted.
    std::function<void(CacheState next, int64_t revision)> on_snapshot;
    // The writer nonces of the values a full read applies, page by page,
    // before the read is handed to on_snapshot.
    std::function<void(const std::vector<CacheState::WriterSeen>& writers)> on_writers;
    // Every watch response with events (one response holds every event of a
    // revision). On gRPC's callback threads, one at a time and in order.
    std::function<void(const etcdserverpb::WatchResponse& response)> on_response;
  };
  // Called with false when the loop stops following etcd (stream broken,
  // member without leader) and with true when it follows again.
  using HealthCallback = std::function<void(bool following)>;

  WatchLoop(const EtcdClient* client, Callbacks callbacks)
      : client_(client), callbacks_(std::move(callbacks)) {}
  // Stops.
  ~WatchLoop();
  WatchLoop(const WatchLoop&) = delete;
  WatchLoop& operator=(const WatchLoop&) = delete;

  // Reads the prefix (retrying for up to `load_timeout`), hands it to
  // on_snapshot and starts the watch thread.
  absl::Status Start(absl::Duration load_timeout) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends the stream and the thread; no callback runs once it returns.
  void Stop() ABSL_LOCKS_EXCLUDED(mu_, stream_mu_);

  void SetHealthCallback(HealthCallback callback) ABSL_LOCKS_EXCLUDED(health_mu_);

  // How often the watch had to start over from a full read (compaction).
  int64_t full_reloads() const { return full_reloads_.load(); }
  // How many watch streams have been opened (1 while the first one lives).
  int64_t watch_attempts() const { return watch_attempts_.load(); }

 private:
  // Reads every key under the prefix at one revision into `state`.
  absl::Status Load(CacheState& state, int64_t& revision);
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // One watch stream after `delivered_` until it ends; true when it ended
  // because the revision was compacted.
  bool WatchOnce() ABSL_LOCKS_EXCLUDED(mu_, stream_mu_);
  // Hands a response over and moves `delivered_` past it.
  void Deliver(const etcdserverpb::WatchResponse& response);
  void Delivered(int64_t revision);
  bool stopping() const ABSL_LOCKS_EXCLUDED(mu_);
  void SetFollowing(bool following) ABSL_LOCKS_EXCLUDED(health_mu_);

  const EtcdClient* client_;
  const Callbacks callbacks_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // The highest revision handed over: everything up to it was seen. Written
  // by the watch thread and, while a stream runs, by gRPC's callback threads
  // (which the watch thread waits for before it reads it again).
  std::atomic<int64_t> delivered_{0};

  // The watch stream in progress, for cancelling it.
  absl::Mutex stream_mu_;
  grpc::ClientContext* stream_context_ ABSL_GUARDED_BY(stream_mu_) = nullptr;

  absl::Mutex health_mu_;
  HealthCallback on_health_ ABSL_GUARDED_BY(health_mu_);
  bool following_ ABSL_GUARDED_BY(health_mu_) = true;

  std::atomic<int64_t> full_reloads_{0};
  std::atomic<int64_t> watch_attempts_{0};
  std::thread thread_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_WATCH_LOOP_H_
