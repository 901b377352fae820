#include "server/store/etcd/watch_loop.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/logging/log.h"
#include "server/store/etcd/keys.h"

namespace backinstock::store::etcd {
namespace {

constexpr int64_t kLoadPageSize = 1000;

}  // namespace

WatchLoop::~WatchLoop() { Stop(); }

absl::Status WatchLoop::Start(absl::Duration load_timeout) {
  const absl::Time give_up = absl::Now() + load_timeout;
  absl::Duration backoff = absl::Milliseconds(100);
  for (;;) {
    CacheState state;
    int64_t revision = 0;
    absl::Status loaded = Load(state, revision);
    if (loaded.ok()) {
      callbacks_.on_snapshot(std::move(state), revision);
      Delivered(revision);
      break;
    }
    if (absl::Now() + backoff > give_up) {
      return absl::UnavailableError(absl::StrCat("cannot read the store from etcd at ",
                                                 client_->target(), ": ", loaded.message()));
    }
    logging::Warning("etcd not ready, retrying", {{"error", std::string(loaded.message())}});
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void WatchLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  {
    absl::MutexLock lock(&stream_mu_);
    if (stream_context_ != nullptr) stream_context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool WatchLoop::stopping() const {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void WatchLoop::SetHealthCallback(HealthCallback callback) {
  absl::MutexLock lock(&health_mu_);
  on_health_ = std::move(callback);
}

void WatchLoop::SetFollowing(bool following) {
  absl::MutexLock lock(&health_mu_);
  if (following_ == following) return;
  following_ = following;
  if (following) {
    logging::Info("etcd watch following again");
  } else {
    logging::Warning("etcd watch lost; reads are served from the cache until it resumes");
  }
  if (on_health_) on_health_(following);
}

absl::Status WatchLoop::Load(CacheState& state, int64_t& revision) {
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(kRootPrefix));
  request.set_range_end(PrefixEnd(kRootPrefix));
  request.set_limit(kLoadPageSize);
  revision = 0;
  for (;;) {
    // Every page after the first is read at the first page's revision, so
    // the whole load is one consistent snapshot.
    if (revision != 0) request.set_revision(revision);
    absl::StatusOr<etcdserverpb::RangeResponse> page = client_->Range(request);
    if (!page.ok()) return page.status();
    if (revision == 0) revision = page->header().revision();
    // Nothing is published from a state built aside (its owner publishes
    // the difference when it takes it), but the writes it holds are seen.
    std::vector<CacheState::WriterSeen> writers;
    for (const mvccpb::KeyValue& kv : page->kvs()) {
      CacheState::Changes changes = state.Apply(kv, /*deleted=*/false);
      std::move(changes.writers.begin(), changes.writers.end(), std::back_inserter(writers));
    }
    if (!writers.empty()) callbacks_.on_writers(writers);
    if (!page->more() || page->kvs().empty()) return absl::OkStatus();
    request.set_key(page->kvs(page->kvs_size() - 1).key() + std::string(1, '\0'));
  }
}

void WatchLoop::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  for (;;) {
    if (stopping()) return;
    const bool compacted = WatchOnce();
    if (stopping()) return;
    SetFollowing(false);
    if (compacted) {
      // The history we would resume from is gone: start over from a full
      // read, whose difference the owner publishes.
      CacheState state;
      int64_t revision = 0;
      if (absl::Status loaded = Load(state, revision); loaded.ok()) {
        full_reloads_.fetch_add(1);
        logging::Info("etcd watch compacted; store re-read", {{"revision", revision}});
        callbacks_.on_snapshot(std::move(state), revision);
        Delivered(revision);
        backoff = absl::Milliseconds(50);
        continue;
      }
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
}

void WatchLoop::Delivered(int64_t revision) {
  // One writer at a time (see delivered_), so no lost update.
  if (revision > delivered_.load()) delivered_.store(revision);
}

void WatchLoop::Deliver(const etcdserverpb::WatchResponse& response) {
  // A response without events would be a progress notification. None is
  // asked for, and none would be trusted: etcd 3.4.23 may send one with a
  // revision ahead of events it has yet to send (see EtcdClient::WriteFence),
  // and resuming after that revision would skip them.
  if (response.events().empty()) return;
  callbacks_.on_response(response);
  for (const mvccpb::Event& event : response.events()) Delivered(event.kv().mod_revision());
}

bool WatchLoop::WatchOnce() {
  grpc::ClientContext context;
  EtcdClient::RequireLeader(&context);
  // Wait for a member to be reachable rather than fail at once: the loop
  // would only come back here.
  context.set_wait_for_ready(true);
  etcdserverpb::WatchRequest create;
  etcdserverpb::WatchCreateRequest* watch = create.mutable_create_request();
  watch->set_key(std::string(kRootPrefix));
  watch->set_range_end(PrefixEnd(kRootPrefix));
  watch->set_start_revision(delivered_.load() + 1);

  // Responses arrive on gRPC's callback threads, one at a time and in order.
  // Written there, read here after AwaitDone (which orders the two).
  bool compacted = false;
  auto stream = std::make_shared<WatchStream>(
      &context, [this, &compacted](const etcdserverpb::WatchResponse& response) {
        if (response.compact_revision() != 0) {
          compacted = true;
          return false;
        }
        if (response.canceled()) return false;
        if (response.created()) {
          SetFollowing(true);
          return true;
        }
        Deliver(response);
        return true;
      });
  // Published before the call starts: opening the stream waits for a member
  // to be reachable, possibly forever, and Stop must be able to cancel that
  // wait (a context cancelled before its call starts cancels the call as
  // soon as it does).
  {
    absl::MutexLock lock(&stream_mu_);
    stream_context_ = &context;
  }
  if (stopping()) context.TryCancel();
  watch_attempts_.fetch_add(1);
  stream->Start(client_->watch_stub(), create);
  stream->AwaitEnded();
  {
    absl::MutexLock lock(&stream_mu_);
    stream_context_ = nullptr;
  }
  context.TryCancel();
  stream->AwaitDone();
  return compacted;
}

}  // namespace backinstock::store::etcd
