#include "server/api/request_events_watch_reactor.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"

namespace backinstock::api {

using Response = v1::WatchNotificationRequestEventsResponse;

namespace {

grpc::Status TooSlow(size_t max_queued) {
  return errors::ToGrpcStatus(errors::Error(
      absl::StatusCode::kResourceExhausted, "WATCHER_TOO_SLOW",
      absl::StrCat("this watcher fell ", max_queued,
                   " events behind; reconnect and catch up with a query")));
}

}  // namespace

grpc::ServerWriteReactor<Response>* RequestEventsWatchReactor::Start(
    const std::string& site, const auth::StreamCredentials& credentials,
    store::NotificationRequestStore* store, StreamTracker* streams, size_t max_queued) {
  auto* reactor = new RequestEventsWatchReactor(credentials, streams, max_queued);
  if (std::optional<grpc::Status> refused = streams->Add(reactor, site, credentials)) {
    // Shutting down (OK) or over a cap: end at once.
    absl::MutexLock lock(&reactor->mu_);
    reactor->FinishLocked(*refused);
    return reactor;
  }
  reactor->subscription_ = store->Watch(
      site, [reactor](const store::RequestEvent& event) { reactor->OnEvent(event); });
  absl::MutexLock lock(&reactor->mu_);
  // A write already under way sends the metadata itself.
  if (!reactor->wrote_ && !reactor->finished_) reactor->StartSendInitialMetadata();
  return reactor;
}

Response RequestEventsWatchReactor::ToResponse(const store::RequestEvent& event) {
  Response response;
  response.set_request_id(event.id);
  switch (event.type) {
    case store::RequestEvent::Type::kCreated:
      response.set_type(Response::CREATED);
      break;
    case store::RequestEvent::Type::kUpdated:
      response.set_type(Response::UPDATED);
      break;
    case store::RequestEvent::Type::kDeleted:
      response.set_type(Response::DELETED);
      break;
  }
  if (event.type != store::RequestEvent::Type::kDeleted && event.record) {
    *response.mutable_request() = event.record->request;
  }
  *response.mutable_event_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(event.time));
  return response;
}

void RequestEventsWatchReactor::OnEvent(const store::RequestEvent& event) {
  absl::MutexLock lock(&mu_);
  if (finished_ || ending_) return;
  // The tracker ends expired streams from a timer, which may run late: an
  // event is never sent on credentials that have lapsed.
  if (absl::Status valid = credentials_.CheckTime(absl::Now()); !valid.ok()) {
    EndLocked(errors::ToGrpcStatus(valid));
    return;
  }
  if (queue_.size() >= max_queued_) {
    // Never make the writer wait: drop this watcher instead.
    EndLocked(TooSlow(max_queued_));
    return;
  }
  queue_.push_back(event);
  if (!writing_) WriteNextLocked();
}

void RequestEventsWatchReactor::WriteNextLocked() {
  response_ = ToResponse(queue_.front());
  queue_.pop_front();
  writing_ = true;
  wrote_ = true;
  StartWrite(&response_);
}

void RequestEventsWatchReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) {
    FinishLocked(grpc::Status::OK);
  } else if (ending_) {
    FinishLocked(*ending_);
  } else if (!queue_.empty()) {
    WriteNextLocked();
  }
}

void RequestEventsWatchReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status::OK);
}

void RequestEventsWatchReactor::End(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  EndLocked(status);
}

void RequestEventsWatchReactor::EndLocked(const grpc::Status& status) {
  if (ending_) return;  // the first reason to end stands
  ending_ = status;
  queue_.clear();
  if (!writing_) FinishLocked(status);
}

void RequestEventsWatchReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  finished_ = true;
  Finish(status);
}

void RequestEventsWatchReactor::OnDone() {
  // Unsubscribing waits for a callback in progress, so none can follow.
  subscription_.reset();
  streams_->Remove(this);
  delete this;
}

}  // namespace backinstock::api
