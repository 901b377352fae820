#include "server/store/etcd/watch_stream.h"

namespace backinstock::store::etcd {

void WatchStream::Start(etcdserverpb::Watch::Stub* stub, const etcdserverpb::WatchRequest& create) {
  stub->async()->Watch(context_, this);
  // Held until End(): Send() starts writes from outside the reactions, which
  // must not race with the stream finishing.
  AddHold();
  {
    absl::MutexLock lock(&mu_);
    write_ = create;
    writing_ = true;
  }
  StartWrite(&write_);
  StartRead(&response_);
  StartCall();
}

// StartWrite is always called without mu_ held: gRPC may run OnWriteDone on
// the calling thread before StartWrite returns. `writing_` makes the caller
// the only one touching `write_` until that write is done.

void WatchStream::Send(const etcdserverpb::WatchRequest& request) {
  {
    absl::MutexLock lock(&mu_);
    if (!open_) return;
    if (writing_) {
      // Progress requests are all alike: one waiting is enough.
      queued_ = request;
      has_queued_ = true;
      return;
    }
    write_ = request;
    writing_ = true;
  }
  StartWrite(&write_);
}

void WatchStream::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    // A failed write means the stream is broken; the pending read ends it.
    if (!ok || !open_ || !has_queued_) return;
    write_ = std::move(queued_);
    has_queued_ = false;
    writing_ = true;
  }
  StartWrite(&write_);
}

void WatchStream::OnReadDone(bool ok) {
  if (!ok || !on_response_(response_)) {
    End();
    return;
  }
  StartRead(&response_);
}

void WatchStream::End() {
  {
    absl::MutexLock lock(&mu_);
    if (!open_) return;
    open_ = false;
  }
  // Nothing more is read or written from here. The context is cancelled by
  // the owner (AwaitEnded), never from here: this may run inline inside a
  // TryCancel that holds the context's lock.
  RemoveHold();
  ended_.Notify();
}

void WatchStream::OnDone(const grpc::Status&) { done_.Notify(); }

}  // namespace backinstock::store::etcd
