// The default notifier: one JSON line per notification, appended to an outbox
// file (or written to stdout) with write(2) before Notify returns, for a mail
// pipeline to pick up. A line is:
//   {"type":"BACK_IN_STOCK","site":..,"requestId":..,
//    "recipient":{"email":..,"contactId":..},
//    "item":{"catalogReference":{..},"name":..,"price":..,"image":{..},"itemUrl":..},
//    "templateParameters":{..},"time":"<RFC 3339>"}
// Field names follow the API's JSON names.
#ifndef BACKINSTOCK_SERVER_NOTIFY_JSON_LINES_NOTIFIER_H_
#define BACKINSTOCK_SERVER_NOTIFY_JSON_LINES_NOTIFIER_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/notify/notifier.h"

namespace backinstock::notify {

class JsonLinesNotifier final : public Notifier {
 public:
  // `path` "-" writes to stdout; anything else is opened for appending.
  static absl::StatusOr<std::unique_ptr<JsonLinesNotifier>> Open(const std::string& path);
  ~JsonLinesNotifier() override;

  // UNAVAILABLE (reason NOTIFIER_FAILED) when the line could not be written
  // and flushed (disk full, closed pipe, ...).
  absl::Status Notify(const Notification& notification) override ABSL_LOCKS_EXCLUDED(mu_);

  // The line Notify writes, without its newline.
  static std::string Line(const Notification& notification);

 private:
  JsonLinesNotifier(int fd, bool owns, std::string path)
      : fd_(fd), owns_(owns), path_(std::move(path)) {}

  // Lines go out with write(2), one call per line where possible, so nothing
  // sits in a stdio buffer: a line that failed is never written later, and an
  // O_APPEND file gets whole lines from concurrent writers.
  absl::Mutex mu_;  // keeps lines whole when a write(2) is split
  const int fd_;
  const bool owns_;
  const std::string path_;
};

}  // namespace backinstock::notify

#endif  // BACKINSTOCK_SERVER_NOTIFY_JSON_LINES_NOTIFIER_H_
