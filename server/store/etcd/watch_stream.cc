#include "server/store/etcd/watch_stream.h"

namespace backinstock::store::etcd {

void WatchStream::Start(etcdserverpb::Watch::Stub* stub, const etcdserverpb::WatchRequest& create) {
  stub->async()->Watch(context_, this);
  // Held until End(), so that gRPC finishes the stream only once we have
  // stopped reading.
  AddHold();
  create_ = create;
  StartWrite(&create_);
  StartRead(&response_);
  StartCall();
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
