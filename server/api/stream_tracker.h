// Keeps the server's open streams so that shutdown can end them cleanly (with
// OK) before the grace period runs out, instead of cancelling them.
#ifndef BACKINSTOCK_SERVER_API_STREAM_TRACKER_H_
#define BACKINSTOCK_SERVER_API_STREAM_TRACKER_H_

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "server/metrics/gauge.h"

namespace backinstock::api {

// A stream the tracker can close.
class ClosableStream {
 public:
  virtual ~ClosableStream() = default;
  // Ends the stream with OK once any write in flight is done. Must not block.
  virtual void Close() = 0;
};

class StreamTracker {
 public:
  // `open` (may be null) follows the number of streams tracked.
  explicit StreamTracker(metrics::Gauge* open = nullptr) : open_(open) {}

  // Registers a new stream; false once shutdown has begun (the stream should
  // then end at once).
  bool Add(ClosableStream* stream) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (closing_) return false;
    if (streams_.insert(stream).second && open_) open_->Add(1);
    return true;
  }

  // Called by a stream when it is done, before it is destroyed.
  void Remove(ClosableStream* stream) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (streams_.erase(stream) == 1 && open_) open_->Add(-1);
  }

  // Refuses new streams and closes every open one.
  void CloseAll() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    for (ClosableStream* stream : streams_) stream->Close();
  }

 private:
  metrics::Gauge* const open_;
  absl::Mutex mu_;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<ClosableStream*> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_STREAM_TRACKER_H_
