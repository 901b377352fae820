// Sends the "back in stock" notification of one request. The domain calls it
// for each request a report targets, after moving the request to PROCESSING,
// and records NOTIFICATION_SENT or FAILED from the result.
#ifndef BACKINSTOCK_SERVER_NOTIFY_NOTIFIER_H_
#define BACKINSTOCK_SERVER_NOTIFY_NOTIFIER_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::notify {

// Everything one notification says.
struct Notification {
  std::string site;
  // The request being notified (recipient: email and contact id).
  v1::BackInStockNotificationRequest request;
  // The item as the report describes it.
  v1::BackInStockItemDetails item_details;
  // The report's extra template parameters, as given.
  std::map<std::string, std::string> template_parameters;
};

class Notifier {
 public:
  virtual ~Notifier() = default;

  // Sends one notification; OK once it is handed over for good (written,
  // accepted by a mail service, ...). Called from several threads at once.
  // May be slow: it is never called on gRPC's callback threads.
  virtual absl::Status Notify(const Notification& notification) = 0;
};

}  // namespace backinstock::notify

#endif  // BACKINSTOCK_SERVER_NOTIFY_NOTIFIER_H_
