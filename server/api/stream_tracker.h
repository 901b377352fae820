// Keeps the server's open streams: shutdown ends them cleanly (with OK)
// before the grace period runs out instead of cancelling them; a stream ends
// when the credentials it was opened with lapse (docs/decisions.md, "Security and reliability,
// round 2": a token or needed elevation expires, or a key reload removes a key that verified one);
// and the number of open streams is capped per site and per server.
#ifndef BACKINSTOCK_SERVER_API_STREAM_TRACKER_H_
#define BACKINSTOCK_SERVER_API_STREAM_TRACKER_H_

#include <grpcpp/support/status.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/auth/keys.h"
#include "server/auth/stream_credentials.h"
#include "server/metrics/gauge.h"

namespace backinstock::api {

// A stream the tracker can end.
class ClosableStream {
 public:
  virtual ~ClosableStream() = default;
  // Ends the stream with `status` once any write in flight is done; nothing
  // queued is sent any more. Must not block.
  virtual void End(const grpc::Status& status) = 0;
};

struct StreamLimits {
  // Open streams allowed per site and per server; 0: no limit.
  size_t per_site = 0;
  size_t total = 0;
};

class StreamTracker {
 public:
  // `open` (may be null) follows the number of streams tracked.
  explicit StreamTracker(StreamLimits limits = {}, metrics::Gauge* open = nullptr);
  ~StreamTracker();  // streams must all have been removed

  StreamTracker(const StreamTracker&) = delete;
  StreamTracker& operator=(const StreamTracker&) = delete;

  // Registers a new stream of `site`, authorized by `credentials`. Returns
  // nullopt when registered; otherwise the status the stream must end with at
  // once: OK when shutdown has begun, RESOURCE_EXHAUSTED (reason
  // TOO_MANY_WATCH_STREAMS) beyond a cap.
  std::optional<grpc::Status> Add(ClosableStream* stream, const std::string& site,
                                  const auth::StreamCredentials& credentials)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Called by a stream when it is done, before it is destroyed.
  void Remove(ClosableStream* stream) ABSL_LOCKS_EXCLUDED(mu_);

  // Refuses new streams and ends every open one with OK.
  void CloseAll() ABSL_LOCKS_EXCLUDED(mu_);

  // After a key reload: ends every stream whose credentials `keys` no longer
  // verify. Returns how many were ended.
  size_t EndUnverifiable(const auth::Keys& keys) ABSL_LOCKS_EXCLUDED(mu_);

  // Open streams, in all and of `site`.
  size_t size() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t size(const std::string& site) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    std::string site;
    auth::StreamCredentials credentials;
    std::multimap<absl::Time, ClosableStream*>::iterator expiry;
  };

  // The expiry thread: ends streams whose credentials' time has come.
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  void Forget(ClosableStream* stream, Entry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const StreamLimits limits_;
  metrics::Gauge* const open_;
  mutable absl::Mutex mu_;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool rescheduled_ ABSL_GUARDED_BY(mu_) = false;  // the earliest expiry moved earlier
  absl::flat_hash_map<ClosableStream*, Entry> streams_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> per_site_ ABSL_GUARDED_BY(mu_);
  // Streams by when their credentials lapse (only those that do).
  std::multimap<absl::Time, ClosableStream*> expiries_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_STREAM_TRACKER_H_
