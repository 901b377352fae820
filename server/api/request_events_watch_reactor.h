// One WatchNotificationRequestEvents stream. Every event matters (unlike
// settings, where only the latest value does), so events wait in a bounded
// per-watcher queue. Writers never wait for a watcher: one that falls
// `max_queued` events behind is ended with RESOURCE_EXHAUSTED (reason
// WATCHER_TOO_SLOW) and may reconnect and re-read with a query. Nothing is
// sent once the credentials the stream was admitted with have lapsed.
#ifndef BACKINSTOCK_SERVER_API_REQUEST_EVENTS_WATCH_REACTOR_H_
#define BACKINSTOCK_SERVER_API_REQUEST_EVENTS_WATCH_REACTOR_H_

#include <grpcpp/support/server_callback.h>

#include <cstddef>
#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "server/api/stream_tracker.h"
#include "server/api/watch_reactor.h"
#include "server/auth/stream_credentials.h"
#include "server/store/notification_request_store.h"

namespace backinstock::api {

class RequestEventsWatchReactor final
    : public WatchReactor<v1::WatchNotificationRequestEventsResponse> {
 public:
  // Creates the reactor and subscribes it to the site's events. The initial
  // metadata goes out once the subscription is in place, so a client that has
  // received it knows it will see every later change.
  static grpc::ServerWriteReactor<v1::WatchNotificationRequestEventsResponse>* Start(
      const std::string& site, const auth::StreamCredentials& credentials,
      store::NotificationRequestStore* store, StreamTracker* streams, size_t max_queued);

  // The wire form of one event.
  static v1::WatchNotificationRequestEventsResponse ToResponse(const store::RequestEvent& event);

 private:
  RequestEventsWatchReactor(const auth::StreamCredentials& credentials, StreamTracker* streams,
                            size_t max_queued)
      : WatchReactor(credentials, streams), max_queued_(max_queued) {}

  void OnEvent(const store::RequestEvent& event) ABSL_LOCKS_EXCLUDED(mu_);

  bool HasPendingLocked() const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropPendingLocked() override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TakeNextLocked(v1::WatchNotificationRequestEventsResponse& response) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_queued_;
  std::deque<store::RequestEvent> queue_ ABSL_GUARDED_BY(mu_);
};

}  // namespace backinstock::api

#endif  // BACKINSTOCK_SERVER_API_REQUEST_EVENTS_WATCH_REACTOR_H_
