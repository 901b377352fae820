#include "server/logging/line_writer.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace backinstock::logging {
namespace {

// How long the writer waits for a batch to fill once a line is pending. A busy
// server then pays one wake-up and one write(2) per batch instead of per line
// (the profile in docs/performance.md); a quiet one sees lines this late at most.
constexpr absl::Duration kLinger = absl::Milliseconds(10);
constexpr size_t kWakeBatch = 256;
// How soon a batch the sink refused is tried again.
constexpr absl::Duration kRetry = absl::Seconds(1);
// How long a stopping writer waits on a sink that takes nothing (a pipe
// nobody reads) before it gives up on what is left.
constexpr absl::Duration kStallAtStop = absl::Seconds(2);

std::string DefaultDroppedLine(uint64_t dropped) {
  return absl::StrCat("log writer: ", dropped, " lines dropped under load");
}

}  // namespace

absl::StatusOr<std::unique_ptr<LineWriter>> LineWriter::Open(const std::string& path,
                                                             WhenFull when_full,
                                                             size_t max_pending) {
  Options options;
  options.when_full = when_full;
  options.max_pending = max_pending;
  return Open(path, std::move(options));
}

absl::StatusOr<std::unique_ptr<LineWriter>> LineWriter::Open(const std::string& path,
                                                             Options options) {
  if (path == "-") return std::make_unique<LineWriter>(stderr, false, std::move(options));
  std::FILE* out = std::fopen(path.c_str(), "ae");
  if (out == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open ", path, " for appending: ", std::strerror(errno)));
  }
  return std::make_unique<LineWriter>(out, true, std::move(options));
}

LineWriter::LineWriter(std::FILE* out, bool owns, WhenFull when_full, size_t max_pending)
    : LineWriter(out, owns, Options{when_full, max_pending, nullptr, nullptr}) {}

LineWriter::LineWriter(std::FILE* out, bool owns, Options options)
    : out_(out),
      owns_(owns),
      options_(std::move(options)),
      wake_threshold_(std::max<size_t>(1, std::min(kWakeBatch, options_.max_pending / 2))) {
  // A file of our own is written without blocking, so that a sink that takes
  // nothing (a FIFO nobody reads) cannot hold the writer, and so shutdown,
  // forever. stderr is left alone: its file description is shared with others.
  if (owns_) {
    const int fd = fileno(out_);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  thread_ = std::thread([this] { Run(); });
}

LineWriter::~LineWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.Signal();
  }
  thread_.join();
  if (owns_) std::fclose(out_);
}

void LineWriter::Write(std::string line) {
  absl::MutexLock lock(&mu_);
  if (UsedLocked() >= options_.max_pending) {
    if (options_.when_full == WhenFull::kDrop) {
      ++dropped_;
      return;
    }
    mu_.Await(absl::Condition(
        +[](LineWriter* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
          return self->UsedLocked() < self->options_.max_pending;
        },
        this));
  }
  QueueLocked(std::move(line));
}

bool LineWriter::TryWrite(std::string line) {
  absl::MutexLock lock(&mu_);
  if (UsedLocked() >= options_.max_pending) {
    ++dropped_;
    return false;
  }
  QueueLocked(std::move(line));
  return true;
}

bool LineWriter::Reserve(size_t lines) {
  absl::MutexLock lock(&mu_);
  if (!healthy_ || UsedLocked() + lines > options_.max_pending) return false;
  reserved_ += lines;
  return true;
}

void LineWriter::WriteReserved(std::string line) {
  absl::MutexLock lock(&mu_);
  if (reserved_ > 0) --reserved_;
  QueueLocked(std::move(line));
}

// The writer waits on `wake_`, not on an absl::Condition: a Condition waiter
// makes every Unlock of `mu_` take the slow path and evaluate it, which the
// request path paid on every line. It is signalled only when its wait may
// end: the first line after idling, and a full batch while it lingers.
void LineWriter::QueueLocked(std::string line) {
  pending_.push_back(std::move(line));
  ++queued_;
  if (pending_.size() == 1 || pending_.size() == wake_threshold_) wake_.Signal();
}

void LineWriter::Release(size_t lines) {
  absl::MutexLock lock(&mu_);
  reserved_ -= std::min(reserved_, lines);
}

bool LineWriter::Flush(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  std::pair<LineWriter*, uint64_t> target(this, queued_);
  ++flushes_waiting_;  // the writer stops lingering for a full batch
  wake_.Signal();
  const bool flushed = mu_.AwaitWithTimeout(
      absl::Condition(
          +[](std::pair<LineWriter*, uint64_t>* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(t->first->mu_) {
            return t->first->written_ >= t->second;
          },
          &target),
      timeout);
  --flushes_waiting_;
  return flushed;
}

uint64_t LineWriter::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

bool LineWriter::healthy() const {
  absl::MutexLock lock(&mu_);
  return healthy_;
}

bool LineWriter::WriteOut(const std::string& bytes, size_t* offset, std::string* error) {
  const int fd = fileno(out_);
  absl::Time stalled_since = absl::InfiniteFuture();
  while (*offset < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + *offset, bytes.size() - *offset);
    if (n > 0) {
      *offset += static_cast<size_t>(n);
      stalled_since = absl::InfiniteFuture();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Stalled, not failed: wait for room (the queue fills meanwhile), but
      // not past a bounded wait once the writer is stopping.
      const absl::Time now = absl::Now();
      if (stalled_since == absl::InfiniteFuture()) stalled_since = now;
      bool stopping = false;
      {
        absl::MutexLock lock(&mu_);
        stopping = stopping_;
      }
      if (stopping && now - stalled_since > kStallAtStop) {
        *error = "the sink took nothing while the writer was stopping";
        return false;
      }
      pollfd ready{fd, POLLOUT, 0};
      poll(&ready, 1, 100);
    } else {
      *error = n < 0 ? std::strerror(errno) : "write(2) wrote nothing";
      return false;
    }
  }
  return true;
}

void LineWriter::ReportHealth(bool healthy, const std::string& error) {
  {
    absl::MutexLock lock(&mu_);
    if (healthy_ == healthy) return;
    healthy_ = healthy;
  }
  if (!options_.on_health) return;
  options_.on_health(healthy ? absl::OkStatus()
                             : absl::UnavailableError(absl::StrCat("write failed: ", error)));
}

void LineWriter::Run() {
  std::vector<std::string> batch;
  std::string buffer;  // the batch being written, newlines included
  size_t offset = 0;   // how much of `buffer` the sink has taken
  size_t batch_lines = 0;
  uint64_t reported_dropped = 0;
  for (;;) {
    bool last_try = false;
    if (offset < buffer.size()) {
      // The sink refused the last batch: try it again after a pause (once
      // more when stopping). New lines wait, so the queue fills and callers
      // see it full instead of their lines vanishing.
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), kRetry);
      last_try = stopping_;
    } else {
      uint64_t dropped = 0;
      bool stop = false;
      {
        absl::MutexLock lock(&mu_);
        // Idle until a line arrives, then gather more for up to kLinger.
        while (!stopping_ && pending_.empty()) wake_.Wait(&mu_);
        const absl::Time linger_until = absl::Now() + kLinger;
        while (!stopping_ && flushes_waiting_ == 0 && pending_.size() < wake_threshold_) {
          if (wake_.WaitWithDeadline(&mu_, linger_until)) break;  // lingered long enough
        }
        batch.swap(pending_);
        stop = stopping_ && batch.empty();
        last_try = stopping_;
        dropped = dropped_;
      }
      buffer.clear();
      offset = 0;
      // Say so when lines were dropped, so that a gap in the log is explained.
      if (dropped > reported_dropped) {
        const std::function<std::string(uint64_t)>& line =
            options_.dropped_line ? options_.dropped_line : DefaultDroppedLine;
        absl::StrAppend(&buffer, line(dropped - reported_dropped), "\n");
        reported_dropped = dropped;
      }
      // One write for the whole batch.
      for (const std::string& line : batch) absl::StrAppend(&buffer, line, "\n");
      batch_lines = batch.size();
      batch.clear();
      if (stop && buffer.empty()) return;
    }
    std::string error;
    if (WriteOut(buffer, &offset, &error)) {
      {
        absl::MutexLock lock(&mu_);
        written_ += batch_lines;
      }
      batch_lines = 0;
      buffer.clear();
      offset = 0;
      ReportHealth(true, "");
    } else {
      ReportHealth(false, error);
      if (last_try) return;  // stopping, and the sink still refuses: the rest is lost
    }
  }
}

}  // namespace backinstock::logging
