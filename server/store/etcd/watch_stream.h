// One etcd watch stream on gRPC's callback API. Responses are handed to a
// callback, in order, on gRPC's callback threads; no thread of ours blocks
// inside gRPC. That matters: a thread blocked in a synchronous gRPC call polls
// gRPC's process-wide event set and ends up doing the server's network work
// too, with extra thread hand-offs (measured: a fifth of a replica's CPU while
// it served GetSettings from its cache, for a stream that was idle).
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_WATCH_STREAM_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_WATCH_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace backinstock::store::etcd {

class WatchStream
    : public grpc::ClientBidiReactor<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse> {
 public:
  // Returns whether to keep reading; false ends the stream.
  using OnResponse = std::function<bool(const etcdserverpb::WatchResponse&)>;

  // `context` must outlive the stream and already carry its metadata; it may
  // have been cancelled already (the stream then ends at once).
  WatchStream(grpc::ClientContext* context, OnResponse on_response)
      : context_(context), on_response_(std::move(on_response)) {}

  // Opens the stream and sends `create`.
  void Start(etcdserverpb::Watch::Stub* stub, const etcdserverpb::WatchRequest& create);

  // Waits until the stream has ended on our side (broken, cancelled, or the
  // callback said stop). The caller then cancels the context, outside any
  // gRPC callback and lock, so that etcd's side ends too.
  void AwaitEnded() { ended_.WaitForNotification(); }

  // Waits until gRPC is done with the stream; the object may then be
  // destroyed.
  void AwaitDone() { done_.WaitForNotification(); }

  // A failed write of `create` breaks the stream: the pending read ends it.
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  // No more reads or writes will be started: let the stream finish.
  void End() ABSL_LOCKS_EXCLUDED(mu_);

  grpc::ClientContext* context_;
  OnResponse on_response_;
  etcdserverpb::WatchResponse response_;
  absl::Notification ended_;
  absl::Notification done_;

  etcdserverpb::WatchRequest create_;  // the only write

  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_WATCH_STREAM_H_
