// Writes lines to a file or stderr from a background thread, in batches, so
// that logging on the request path costs a string move and a short lock rather
// than a write(2) per line.
//
// Write errors (a full disk, /dev/full, a closed pipe) are not ignored: the
// batch that failed is kept and retried, the queue stops draining (so callers
// see it full), and `on_health` hears of the failure and of the recovery.
#ifndef BACKINSTOCK_SERVER_LOGGING_LINE_WRITER_H_
#define BACKINSTOCK_SERVER_LOGGING_LINE_WRITER_H_

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace backinstock::logging {

class LineWriter {
 public:
  // What Write() does when `max_pending` lines are already waiting.
  enum class WhenFull {
    kDrop,   // drop the line and count it (call logs: never slow the service)
    kBlock,  // wait for room
  };

  struct Options {
    WhenFull when_full = WhenFull::kDrop;
    size_t max_pending = 65536;
    // The line written in place of lines that were dropped (given how many).
    std::function<std::string(uint64_t dropped)> dropped_line;
    // Called from the writer thread when writing fails (with the error) and
    // again with OK once a write succeeds after a failure. Must not block.
    std::function<void(const absl::Status&)> on_health;
  };

  // `path` "-" writes to stderr; anything else is opened for appending.
  static absl::StatusOr<std::unique_ptr<LineWriter>> Open(const std::string& path,
                                                          WhenFull when_full,
                                                          size_t max_pending = 65536);
  static absl::StatusOr<std::unique_ptr<LineWriter>> Open(const std::string& path, Options options);
  // Writes to an already open stream (closed at the end when `owns`).
  LineWriter(std::FILE* out, bool owns, WhenFull when_full, size_t max_pending);
  LineWriter(std::FILE* out, bool owns, Options options);
  ~LineWriter();  // writes everything still pending (one more try after a failure)

  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Queues one line (without its newline).
  void Write(std::string line) ABSL_LOCKS_EXCLUDED(mu_);

  // Queues one line if there is room; otherwise drops and counts it. Never
  // blocks. Reserved room is not used.
  bool TryWrite(std::string line) ABSL_LOCKS_EXCLUDED(mu_);

  // Sets room aside for `lines` later lines that must not be lost; false when
  // the queue has no such room or writing is failing. Never blocks.
  bool Reserve(size_t lines = 1) ABSL_LOCKS_EXCLUDED(mu_);
  // Queues a line into room set aside by Reserve(). Never blocks or drops.
  void WriteReserved(std::string line) ABSL_LOCKS_EXCLUDED(mu_);
  // Gives back reserved room that will not be used.
  void Release(size_t lines = 1) ABSL_LOCKS_EXCLUDED(mu_);

  // Returns once every line queued before the call is written and flushed,
  // or after `timeout` (false then).
  bool Flush(absl::Duration timeout = absl::InfiniteDuration()) ABSL_LOCKS_EXCLUDED(mu_);

  // Lines dropped because the queue was full.
  uint64_t dropped() const ABSL_LOCKS_EXCLUDED(mu_);
  // False from a failed write until a write succeeds again.
  bool healthy() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run();
  // Queues a line and wakes the writer when it waits for one.
  void QueueLocked(std::string line) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes all of `bytes` from `*offset` on; false (with errno's message in
  // `*error`) when the sink refused, leaving `*offset` at what was written.
  bool WriteOut(const std::string& bytes, size_t* offset, std::string* error);
  void ReportHealth(bool healthy, const std::string& error);
  size_t UsedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return pending_.size() + reserved_;
  }

  std::FILE* const out_;
  const bool owns_;
  const Options options_;
  // The writer wakes for this many pending lines (or a Flush, or shutdown)
  // rather than for each line; below it, it lingers briefly for more.
  const size_t wake_threshold_;

  mutable absl::Mutex mu_;
  absl::CondVar wake_;  // the writer's wait for lines (see QueueLocked)
  std::vector<std::string> pending_ ABSL_GUARDED_BY(mu_);
  size_t reserved_ ABSL_GUARDED_BY(mu_) = 0;   // room set aside by Reserve()
  uint64_t queued_ ABSL_GUARDED_BY(mu_) = 0;   // lines ever queued
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // lines ever written
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool healthy_ ABSL_GUARDED_BY(mu_) = true;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int flushes_waiting_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace backinstock::logging

#endif  // BACKINSTOCK_SERVER_LOGGING_LINE_WRITER_H_
