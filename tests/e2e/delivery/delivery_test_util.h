// Helpers for the background delivery tests: many requests created at once,
// every request of a site read back, what the SMTP relay stored, and the
// site's event stream collected in the background.
#ifndef BACKINSTOCK_TESTS_E2E_DELIVERY_DELIVERY_TEST_UTIL_H_
#define BACKINSTOCK_TESTS_E2E_DELIVERY_DELIVERY_TEST_UTIL_H_

#include <grpcpp/channel.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "tests/support/request_calls.h"
#include "tests/support/smtp_relay.h"

namespace backinstock::testing {

// One message the relay accepted.
struct RelayedEmail {
  std::string recipient;   // the envelope recipient
  std::string message_id;  // the Message-ID header
  int attempt = 0;         // which DATA to that recipient the relay accepted (1: the first)
};

// Everything `relay` stored so far, in the order it accepted it.
std::vector<RelayedEmail> ReadRelayed(const SmtpRelay& relay);

// The request id a Message-ID of the form <ID@domain> carries, or "".
std::string RequestIdOf(const std::string& message_id);

// `count` distinct addresses: PREFIX-0000@customers.example, ...
std::vector<std::string> Addresses(const std::string& prefix, int count);

// Creates one request on `item` per address, several calls at a time; the
// ids, in the order of `emails`.
absl::StatusOr<std::vector<std::string>> CreateRequests(RequestCalls& calls,
                                                        const Credentials& visitor,
                                                        const std::string& item,
                                                        const std::vector<std::string>& emails);

// Every request of the caller's site, by id (all pages of a query).
absl::StatusOr<std::map<std::string, NotificationRequest>> AllRequests(RequestCalls& calls,
                                                                       const Credentials& owner);

// Requests on `item` still open (RECEIVED or PROCESSING), or -1 when the
// count cannot be read.
int OpenRequests(RequestCalls& calls, const Credentials& owner, const std::string& item);

// The site's WatchNotificationRequestEvents stream, read by a thread of its
// own into memory until destroyed.
class EventLog {
 public:
  using Event = v1::WatchNotificationRequestEventsResponse;

  EventLog(RequestCalls::Stub& stub, const Credentials& owner);
  ~EventLog();

  // One UPDATED event of a request: its status and its email's state.
  struct Update {
    NotificationRequest::Status status;
    bool has_delivery;
    v1::EmailDelivery delivery;
  };

  // How many UPDATED events showed request `id` PROCESSING (the claim, then
  // one per deferred attempt) so far.
  int ProcessingUpdates(const std::string& id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Every UPDATED event of request `id` so far, in order.
  std::vector<Update> Updates(const std::string& id) const ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the stream is still open.
  bool open() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<Event>> reader_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::vector<Update>> updates_ ABSL_GUARDED_BY(mu_);
  bool open_ ABSL_GUARDED_BY(mu_) = true;
  std::thread thread_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_E2E_DELIVERY_DELIVERY_TEST_UTIL_H_
