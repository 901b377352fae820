// The lifecycle both watch streams share (WatchSettings and
// WatchNotificationRequestEvents): registration with the StreamTracker, the
// store subscription, one write in flight at a time, ending with a status once
// that write is done, and self-deletion when gRPC is done with the call. A
// subclass decides what is pending and how it becomes the next message.
#ifndef BACKINSTOCK_SERVER_API_WATCH_REACTOR_H_
#define BACKINSTOCK_SERVER_API_WATCH_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "backinstock/errors/grpc_status.h"
#include "server/api/stream_tracker.h"
#include "server/auth/stream_credentials.h"
#include "server/store/watch_hub.h"

namespace backinstock::api {

template <typename Response>
class WatchReactor : public grpc::ServerWriteReactor<Response>, public ClosableStream {
 public:
  void OnWriteDone(bool ok) final ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status::OK);
    } else if (ending_) {
      FinishLocked(*ending_);
    } else if (HasPendingLocked()) {
      WriteNextLocked();
    }
  }

  void OnCancel() final ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::OK);
  }

  void OnDone() final {
    // Unsubscribing waits for a callback in progress, so none can follow.
    subscription_.reset();
    streams_->Remove(this);
    delete this;
  }

  void End(const grpc::Status& status) final ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    EndLocked(status);
  }

 protected:
  WatchReactor(const auth::StreamCredentials& credentials, StreamTracker* streams)
      : credentials_(credentials), streams_(streams) {}

  // Registers the stream with the tracker, then subscribes with `subscribe`
  // (not under mu_: a store may deliver the current value from inside Watch).
  // Returns false when the tracker refused it: the stream has then finished
  // with the tracker's status (OK when shutting down, or over a cap).
  bool Register(const std::string& site,
                const std::function<std::unique_ptr<store::Subscription>()>& subscribe)
      ABSL_LOCKS_EXCLUDED(mu_) {
    if (std::optional<grpc::Status> refused = streams_->Add(this, site, credentials_)) {
      absl::MutexLock lock(&mu_);
      FinishLocked(*refused);
      return false;
    }
    subscription_ = subscribe();
    return true;
  }

  // Sends the initial metadata now unless a write (which carries it) began.
  void SendInitialMetadataUnlessWriting() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (!wrote_ && !finished_) this->StartSendInitialMetadata();
  }

  // Whether a new value or event may still be queued: not once the stream is
  // ending or finished.
  bool AcceptingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !finished_ && !ending_; }

  // The tracker ends expired streams from a timer, which may run late: nothing
  // is queued on credentials that have lapsed. Ends the stream and returns
  // true when they have.
  bool EndIfCredentialsLapsedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::Status valid = credentials_.CheckTime(absl::Now());
    if (valid.ok()) return false;
    EndLocked(errors::ToGrpcStatus(valid));
    return true;
  }

  // Ends with `status` once no write is in flight; what is pending is dropped.
  // The first reason to end stands.
  void EndLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (ending_) return;
    ending_ = status;
    DropPendingLocked();
    if (!writing_) FinishLocked(status);
  }

  // Starts writing what is pending unless a write is in flight (its completion
  // writes the next one).
  void WriteIfIdleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!writing_) WriteNextLocked();
  }

  // What the subclass keeps pending, under mu_.
  virtual bool HasPendingLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  virtual void DropPendingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;
  // Moves the next pending item into `response` (called only when one is pending).
  virtual void TakeNextLocked(Response& response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  absl::Mutex mu_;

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    TakeNextLocked(response_);
    writing_ = true;
    wrote_ = true;
    this->StartWrite(&response_);
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    this->Finish(status);
  }

  const auth::StreamCredentials credentials_;
  StreamTracker* const streams_;
  std::unique_ptr<store::Subscription> subscription_;

  Response response_ ABSL_GUARDED_BY(mu_);   // the message being written
  bool wrote_ ABSL_GUARDED_BY(mu_) = false;  // a write (which carries metadata) began
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  // Set by End() or by the subclass (EndLocked): the stream finishes with this
  // once no write is in flight.
  std::optional<grpc::Status> ending_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_WATCH_REACTOR_H_
