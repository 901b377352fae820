#include "server/logging/line_writer.h"

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

}  // namespace

absl::StatusOr<std::unique_ptr<LineWriter>> LineWriter::Open(const std::string& path,
                                                             WhenFull when_full,
                                                             size_t max_pending) {
  if (path == "-") return std::make_unique<LineWriter>(stderr, false, when_full, max_pending);
  std::FILE* out = std::fopen(path.c_str(), "ae");
  if (out == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot open ", path, " for appending: ", std::strerror(errno)));
  }
  return std::make_unique<LineWriter>(out, true, when_full, max_pending);
}

LineWriter::LineWriter(std::FILE* out, bool owns, WhenFull when_full, size_t max_pending)
    : out_(out), owns_(owns), when_full_(when_full), max_pending_(max_pending),
      wake_threshold_(std::max<size_t>(1, std::min(kWakeBatch, max_pending / 2))) {
  thread_ = std::thread([this] { Run(); });
}

LineWriter::~LineWriter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  if (owns_) std::fclose(out_);
}

void LineWriter::Write(std::string line) {
  absl::MutexLock lock(&mu_);
  if (pending_.size() >= max_pending_) {
    if (when_full_ == WhenFull::kDrop) {
      ++dropped_;
      return;
    }
    mu_.Await(absl::Condition(
        +[](LineWriter* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
          return self->pending_.size() < self->max_pending_;
        },
        this));
  }
  pending_.push_back(std::move(line));
  ++queued_;
}

void LineWriter::Flush() {
  absl::MutexLock lock(&mu_);
  std::pair<LineWriter*, uint64_t> target(this, queued_);
  ++flushes_waiting_;  // wakes the writer without waiting for a full batch
  mu_.Await(absl::Condition(
      +[](std::pair<LineWriter*, uint64_t>* t) { return t->first->written_ >= t->second; },
      &target));
  --flushes_waiting_;
}

uint64_t LineWriter::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

void LineWriter::Run() {
  std::vector<std::string> batch;
  std::string buffer;
  uint64_t reported_dropped = 0;
  for (;;) {
    bool stop = false;
    uint64_t dropped = 0;
    {
      absl::MutexLock lock(&mu_);
      // Idle until a line arrives, then gather more for up to kLinger.
      mu_.Await(absl::Condition(
          +[](LineWriter* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->pending_.empty();
          },
          this));
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](LineWriter* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
                return self->stopping_ || self->flushes_waiting_ > 0 ||
                       self->pending_.size() >= self->wake_threshold_;
              },
              this),
          kLinger);
      batch.swap(pending_);
      stop = stopping_ && batch.empty();
      dropped = dropped_;
    }
    // Say so when lines were dropped, so that a gap in the log is explained.
    if (dropped > reported_dropped) {
      std::fprintf(out_, "log writer: %llu lines dropped under load\n",
                   static_cast<unsigned long long>(dropped - reported_dropped));
      reported_dropped = dropped;
    }
    if (stop) {
      std::fflush(out_);
      return;
    }
    // One write for the whole batch: stderr is unbuffered, so writing line by
    // line would cost two write(2) calls per line.
    buffer.clear();
    for (const std::string& line : batch) absl::StrAppend(&buffer, line, "\n");
    std::fwrite(buffer.data(), 1, buffer.size(), out_);
    std::fflush(out_);
    {
      absl::MutexLock lock(&mu_);
      written_ += batch.size();
    }
    batch.clear();
  }
}

}  // namespace backinstock::logging
