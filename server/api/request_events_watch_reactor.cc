#include "server/api/request_events_watch_reactor.h"

#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "google/protobuf/util/time_util.h"

namespace backinstock::api {

using Response = v1::WatchNotificationRequestEventsResponse;

namespace {

grpc::Status TooSlow(size_t max_queued) {
  return errors::ToGrpcStatus(
      errors::Error(absl::StatusCode::kResourceExhausted, "WATCHER_TOO_SLOW",
                    absl::StrCat("this watcher fell ", max_queued,
                                 " events behind; reconnect and catch up with a query")));
}

}  // namespace

grpc::ServerWriteReactor<Response>* RequestEventsWatchReactor::Start(
    const std::string& site, const auth::StreamCredentials& credentials,
    store::NotificationRequestStore* store, StreamTracker* streams, size_t max_queued) {
  auto* reactor = new RequestEventsWatchReactor(credentials, streams, max_queued);
  if (reactor->Register(site, [&] {
        return store->Watch(
            site, [reactor](const store::RequestEvent& event) { reactor->OnEvent(event); });
      })) {
    // A write already under way sends the metadata itself.
    reactor->SendInitialMetadataUnlessWriting();
  }
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
    // Where its email stands (attempts, last error, next attempt): the
    // operator's view of the delivery queue.
    if (event.record->delivery != nullptr) {
      *response.mutable_delivery() = event.record->delivery->state();
    }
  }
  *response.mutable_event_time() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(event.time));
  return response;
}

void RequestEventsWatchReactor::OnEvent(const store::RequestEvent& event) {
  absl::MutexLock lock(&mu_);
  if (!AcceptingLocked()) return;
  if (EndIfCredentialsLapsedLocked()) return;
  if (queue_.size() >= max_queued_) {
    // Never make the writer wait: drop this watcher instead.
    EndLocked(TooSlow(max_queued_));
    return;
  }
  queue_.push_back(event);
  WriteIfIdleLocked();
}

bool RequestEventsWatchReactor::HasPendingLocked() const { return !queue_.empty(); }

void RequestEventsWatchReactor::DropPendingLocked() { queue_.clear(); }

void RequestEventsWatchReactor::TakeNextLocked(Response& response) {
  response = ToResponse(queue_.front());
  queue_.pop_front();
}

}  // namespace backinstock::api
