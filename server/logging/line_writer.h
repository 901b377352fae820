// Writes lines to a file or stderr from a background thread, in batches, so
// that logging on the request path costs a string move and a short lock rather
// than a write(2) per line.
#ifndef BACKINSTOCK_SERVER_LOGGING_LINE_WRITER_H_
#define BACKINSTOCK_SERVER_LOGGING_LINE_WRITER_H_

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::logging {

class LineWriter {
 public:
  // What Write() does when `max_pending` lines are already waiting.
  enum class WhenFull {
    kDrop,   // drop the line and count it (call logs: never slow the service)
    kBlock,  // wait for room (audit: never lose a line)
  };

  // `path` "-" writes to stderr; anything else is opened for appending.
  static absl::StatusOr<std::unique_ptr<LineWriter>> Open(const std::string& path,
                                                          WhenFull when_full,
                                                          size_t max_pending = 65536);
  // Writes to an already open stream that the writer does not own.
  LineWriter(std::FILE* out, bool owns, WhenFull when_full, size_t max_pending);
  ~LineWriter();  // writes everything still pending

  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues one line (without its newline).
  void Write(std::string line) ABSL_LOCKS_EXCLUDED(mu_);

  // Returns once every line queued before the call is written and flushed.
  void Flush() ABSL_LOCKS_EXCLUDED(mu_);

  // Lines dropped because the queue was full.
  uint64_t dropped() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run();

  std::FILE* const out_;
  const bool owns_;
  const WhenFull when_full_;
  const size_t max_pending_;
  // The writer wakes for this many pending lines (or a Flush, or shutdown)
  // rather than for each line; below it, it lingers briefly for more.
  const size_t wake_threshold_;

  mutable absl::Mutex mu_;
  std::vector<std::string> pending_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_ ABSL_GUARDED_BY(mu_) = 0;   // lines ever queued
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // lines ever written
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int flushes_waiting_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace backinstock::logging

#endif  // BACKINSTOCK_SERVER_LOGGING_LINE_WRITER_H_
