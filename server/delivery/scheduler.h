// Where a report hands the emails it queued: the delivery queue behind it
// sends them in the background. An interface so that the domain does not
// depend on how (threads, relay, Maildir) and tests can see what was queued.
#ifndef BACKINSTOCK_SERVER_DELIVERY_SCHEDULER_H_
#define BACKINSTOCK_SERVER_DELIVERY_SCHEDULER_H_

#include <string>

#include "server/store/notification_request_store.h"

namespace backinstock::delivery {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // `record` is PROCESSING with its queued email, as just written to the
  // store: the email is due at its state's next_attempt_time (at once when
  // absent). Returns quickly; thread-safe.
  virtual void Schedule(const std::string& site, store::RecordPtr record) = 0;
};

}  // namespace backinstock::delivery

#endif  // BACKINSTOCK_SERVER_DELIVERY_SCHEDULER_H_
