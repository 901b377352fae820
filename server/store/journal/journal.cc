#include "server/store/journal/journal.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/logging/log.h"
#include "server/store/journal/batch.h"
#include "server/store/journal/file_scan.h"
#include "server/store/journal/layout.h"
#include "server/store/journal/snapshot.h"

namespace backinstock::store::journal {

Journal::Journal(std::string dir, JournalOptions options)
    : dir_(std::move(dir)), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(const std::string& dir,
                                                       JournalOptions options, Apply apply) {
  if (dir.empty()) return absl::InvalidArgumentError("journal directory is empty");
  if (options.segment_bytes < 1024) {
    return absl::InvalidArgumentError("journal segment size must be at least 1024 bytes");
  }
  if (options.syncs < 1) return absl::InvalidArgumentError("a journal needs at least one sync");
  if (!options.sync_data) options.sync_data = SyncData;
  std::unique_ptr<Journal> journal(new Journal(dir, std::move(options)));
  if (absl::Status recovered = journal->Recover(apply); !recovered.ok()) return recovered;
  Journal* self = journal.get();
  {
    absl::MutexLock lock(&journal->mu_);
    for (int i = journal->options_.syncs - 1; i >= 0; --i) {
      journal->free_syncs_.push_back(static_cast<size_t>(i));
    }
  }
  for (int i = 0; i < journal->options_.syncs; ++i) {
    journal->committers_.emplace_back([self] { self->CommitLoop(); });
  }
  if (journal->options_.background_compaction) {
    journal->compactor_ = std::thread([self] { self->CompactLoop(); });
  }
  return journal;
}

Journal::~Journal() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& committer : committers_) committer.join();
  if (compactor_.joinable()) compactor_.join();
}

// What recovery found in the directory: the files to read, in order, and
// those a finished compaction or an interrupted snapshot left behind.
struct Journal::RecoveryPlan {
  std::vector<uint64_t> segments;    // to replay: consecutive, ascending
  std::vector<uint64_t> snapshots;   // every snapshot found, ascending
  std::optional<uint64_t> snapshot;  // the one to load: the newest
  uint64_t first_segment = 1;        // the number the first segment must have
  // Removed only once the state has been read back whole: a failed start
  // leaves the directory as it found it, older files included.
  std::vector<std::string> obsolete;
};

// Where replaying the segments left the last one.
struct Journal::ReplayedSegments {
  int64_t closed_bytes = 0;  // of the segments before the last
  int64_t last_size = 0;     // valid bytes of the last segment
  int last_format = kSegmentFormatBatched;
  bool recreate_last = false;  // the last segment has not even its header
};

absl::Status Journal::Recover(Apply apply) {
  if (absl::Status s = CreateDirectories(dir_); !s.ok()) return s;
  absl::StatusOr<File> lock_file = LockDirectory(dir_);
  if (!lock_file.ok()) return lock_file.status();
  lock_ = *std::move(lock_file);

  absl::StatusOr<RecoveryPlan> plan = PlanRecovery();
  if (!plan.ok()) return plan.status();
  if (plan->snapshot) {
    if (absl::Status s = LoadSnapshot(*plan, apply); !s.ok()) return s;
  }
  absl::StatusOr<ReplayedSegments> replayed = ReplaySegments(*plan, apply);
  if (!replayed.ok()) return replayed.status();
  if (absl::Status s = RemoveObsolete(plan->obsolete); !s.ok()) return s;
  return ResumeAppending(*plan, *replayed);
}

absl::StatusOr<Journal::RecoveryPlan> Journal::PlanRecovery() const {
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir_);
  if (!names.ok()) return names.status();
  RecoveryPlan plan;
  std::vector<uint64_t>& segments = plan.segments;
  std::vector<uint64_t>& snapshots = plan.snapshots;
  for (const std::string& name : *names) {
    if (absl::EndsWith(name, kTempSuffix)) {  // a snapshot a crash interrupted
      plan.obsolete.push_back(absl::StrCat(dir_, "/", name));
    } else if (std::optional<FileId> id = ParseFileName(name)) {
      (id->kind == FileKind::kSegment ? segments : snapshots).push_back(id->number);
    }
  }
  std::sort(segments.begin(), segments.end());
  std::sort(snapshots.begin(), snapshots.end());

  // Files a finished compaction made obsolete but did not get to remove.
  if (!snapshots.empty()) plan.snapshot = snapshots.back();
  for (size_t i = 0; i + 1 < snapshots.size(); ++i) {
    plan.obsolete.push_back(FilePath(dir_, FileKind::kSnapshot, snapshots[i]));
  }
  while (plan.snapshot && !segments.empty() && segments.front() < *plan.snapshot) {
    plan.obsolete.push_back(FilePath(dir_, FileKind::kSegment, segments.front()));
    segments.erase(segments.begin());
  }

  // The segments must continue the snapshot (or the very first segment)
  // without a gap: a missing file is lost data, not something to skip.
  plan.first_segment = plan.snapshot.value_or(1);
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != plan.first_segment + i) {
      return absl::DataLossError(absl::StrCat(
          FilePath(dir_, FileKind::kSegment, plan.first_segment + i), " is missing (",
          plan.snapshot
              ? absl::StrCat("snapshot ", *plan.snapshot, " covers only the segments before it")
              : std::string("there is no snapshot covering earlier segments"),
          "); the data directory is incomplete"));
    }
  }
  return plan;
}

absl::Status Journal::LoadSnapshot(const RecoveryPlan& plan, Apply apply) {
  const uint64_t snapshot = *plan.snapshot;
  const std::string path = FilePath(dir_, FileKind::kSnapshot, snapshot);
  absl::StatusOr<std::string> contents = ReadWholeFile(path);
  if (!contents.ok()) return contents.status();
  absl::StatusOr<ScanResult> scanned =
      ScanFile(path, *contents, FileKind::kSnapshot, snapshot, TailPolicy::kStrict, apply);
  if (!scanned.ok()) {
    if (plan.snapshots.size() < 2) return scanned.status();
    // Not tried automatically: whether the segments after the older
    // snapshot are all still here is for the operator to check.
    return absl::Status(
        scanned.status().code(),
        absl::StrCat(scanned.status().message(), "; an older snapshot, ",
                     FileName(FileKind::kSnapshot, plan.snapshots[plan.snapshots.size() - 2]),
                     ", is still in ", dir_,
                     ": moving the damaged one aside starts from it if the segments after it "
                     "are all present; nothing was removed"));
  }
  recovery_.snapshot = snapshot;
  recovery_.snapshot_entries = scanned->records;
  absl::MutexLock lock(&mu_);
  snapshot_ = snapshot;
  snapshot_bytes_ = static_cast<int64_t>(contents->size());
  stats_.snapshot = snapshot;
  return absl::OkStatus();
}

absl::StatusOr<Journal::ReplayedSegments> Journal::ReplaySegments(RecoveryPlan& plan, Apply apply) {
  ReplayedSegments replayed;
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    const bool last = i + 1 == plan.segments.size();
    const std::string path = FilePath(dir_, FileKind::kSegment, plan.segments[i]);
    absl::StatusOr<std::string> contents = ReadWholeFile(path);
    if (!contents.ok()) return contents.status();
    absl::StatusOr<ScanResult> scanned =
        ScanFile(path, *contents, FileKind::kSegment, plan.segments[i],
                 last ? TailPolicy::kAllowTornTail : TailPolicy::kStrict, apply);
    if (!scanned.ok()) return scanned.status();
    ++recovery_.segments;
    recovery_.journal_records += scanned->records;
    if (!last) {
      replayed.closed_bytes += static_cast<int64_t>(contents->size());
      continue;
    }
    replayed.last_size = static_cast<int64_t>(scanned->valid_end);
    replayed.last_format = scanned->format;
    if (scanned->torn_bytes > 0) NoteTornTail(path, *scanned);
    if (scanned->valid_end == 0) {  // not even the file header made it
      plan.obsolete.push_back(path);
      replayed.recreate_last = true;
      continue;
    }
    if (absl::Status s = RepairLastSegment(path, *scanned); !s.ok()) return s;
  }
  return replayed;
}

void Journal::NoteTornTail(const std::string& path, const ScanResult& scanned) {
  // A crash cut the last batches short; nothing in them was acknowledged.
  recovery_.torn_file = path;
  recovery_.torn_offset = scanned.valid_end;
  recovery_.torn_bytes = scanned.torn_bytes;
  logging::Warning("journal: dropping unacknowledged writes a crash left torn",
                   {{"file", path},
                    {"offset", static_cast<int64_t>(scanned.valid_end)},
                    {"bytes", static_cast<int64_t>(scanned.torn_bytes)},
                    {"reason", scanned.torn_reason}});
}

absl::Status Journal::RepairLastSegment(const std::string& path, const ScanResult& scanned) {
  absl::StatusOr<File> file = OpenForWrite(path, OpenMode::kAppend);
  if (!file.ok()) return file.status();
  if (scanned.torn_bytes > 0) {
    if (absl::Status s = Truncate(*file, static_cast<int64_t>(scanned.valid_end), path); !s.ok()) {
      return s;
    }
  }
  // After a process crash what was read may still be only in the page
  // cache; the next batch's frame will vouch that it was synced.
  return options_.sync_data(*file, path);
}

absl::Status Journal::RemoveObsolete(const std::vector<std::string>& obsolete) const {
  for (const std::string& path : obsolete) {
    if (absl::Status s = RemoveFile(path); !s.ok()) return s;
  }
  if (obsolete.empty()) return absl::OkStatus();
  return SyncDir(dir_);
}

absl::Status Journal::ResumeAppending(const RecoveryPlan& plan, const ReplayedSegments& replayed) {
  const std::vector<uint64_t>& segments = plan.segments;
  // A segment of an earlier format is never appended to: it is closed as it
  // is and folded by the next compaction.
  const bool close_last =
      !segments.empty() && !replayed.recreate_last && replayed.last_format != kSegmentFormatBatched;
  const int64_t closed_bytes = replayed.closed_bytes + (close_last ? replayed.last_size : 0);
  absl::MutexLock io(&io_mu_);
  {
    absl::MutexLock lock(&mu_);
    oldest_segment_ = segments.empty() ? plan.first_segment : segments.front();
    closed_bytes_ = closed_bytes;
    compaction_wanted_ = options_.background_compaction &&
                         closed_bytes_ >= std::max(options_.segment_bytes, snapshot_bytes_);
  }
  if (segments.empty() || replayed.recreate_last || close_last) {
    return CreateSegment(segments.empty() ? plan.first_segment
                                          : segments.back() + (close_last ? 1 : 0));
  }
  const std::string path = FilePath(dir_, FileKind::kSegment, segments.back());
  absl::StatusOr<File> file = OpenForWrite(path, OpenMode::kAppend);
  if (!file.ok()) return file.status();
  absl::StatusOr<std::shared_ptr<Segment>> segment = OpenSegment(path, *std::move(file));
  if (!segment.ok()) return segment.status();
  active_ = *std::move(segment);
  active_->durable_end = static_cast<uint64_t>(replayed.last_size);
  active_size_ = replayed.last_size;
  absl::MutexLock lock(&mu_);
  active_number_ = segments.back();
  stats_.active_segment = active_number_;
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Journal::Segment>> Journal::OpenSegment(const std::string& path,
                                                                       File writer) const {
  auto segment = std::make_shared<Segment>();
  segment->path = path;
  segment->writer = std::move(writer);
  for (int i = 0; i < options_.syncs; ++i) {
    absl::StatusOr<File> syncer = OpenForWrite(path, OpenMode::kAppend);
    if (!syncer.ok()) return syncer.status();
    segment->syncers.push_back(*std::move(syncer));
  }
  return segment;
}

absl::Status Journal::CreateSegment(uint64_t number) {
  const std::string path = FilePath(dir_, FileKind::kSegment, number);
  absl::StatusOr<File> file = OpenForWrite(path, OpenMode::kCreate);
  if (!file.ok()) return file.status();
  std::string header;
  EncodeFileHeader(FileKind::kSegment, number, &header);
  if (absl::Status s = WriteAll(*file, header, path); !s.ok()) return s;
  if (absl::Status s = options_.sync_data(*file, path); !s.ok()) return s;
  if (absl::Status s = SyncDir(dir_); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<Segment>> segment = OpenSegment(path, *std::move(file));
  if (!segment.ok()) return segment.status();
  active_ = *std::move(segment);
  active_->durable_end = header.size();
  active_size_ = static_cast<int64_t>(header.size());
  absl::MutexLock lock(&mu_);
  active_number_ = number;
  stats_.active_segment = number;
  return absl::OkStatus();
}

absl::Status Journal::RotateLocked() {
  const int64_t closed_size = active_size_;
  uint64_t next = 0;
  {
    absl::MutexLock lock(&mu_);
    next = active_number_ + 1;
  }
  // Everything written to the closing segment becomes durable before any
  // record goes to the next one (batches are acknowledged by their own sync,
  // and those of the last batches may still be running): a closed segment
  // never ends in a torn record, and replay never finds a gap.
  if (absl::Status synced = options_.sync_data(active_->writer, active_->path); !synced.ok()) {
    return synced;
  }
  if (absl::Status created = CreateSegment(next); !created.ok()) return created;
  absl::MutexLock lock(&mu_);
  closed_bytes_ += closed_size;
  if (options_.background_compaction &&
      closed_bytes_ >= std::max(options_.segment_bytes, snapshot_bytes_)) {
    compaction_wanted_ = true;
  }
  return absl::OkStatus();
}

absl::Status Journal::Rotate() {
  absl::MutexLock io(&io_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return absl::UnavailableError(failure_.message());
  }
  return RotateLocked();
}

namespace {

absl::Status NotWritable(const std::string& dir, const absl::Status& failure) {
  return absl::UnavailableError(absl::StrCat("journal ", dir, " cannot be written (",
                                             failure.message(),
                                             "); no write is accepted until the server restarts"));
}

}  // namespace

absl::Status Journal::Append(RecordType type, absl::string_view key, absl::string_view value) {
  if (type != RecordType::kPut && type != RecordType::kDelete) {
    return absl::InvalidArgumentError("only put and delete records can be appended");
  }
  if (EncodedSize(key, value) - kHeaderBytes > kMaxBodyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("journal record of ", key.size() + value.size(),
                                                   " bytes is over the limit of ", kMaxBodyBytes));
  }
  // Encoded (and checksummed) before taking the lock: a record may be large.
  // Room is left for the frame of the batch it goes in.
  std::string encoded;
  encoded.reserve(kBatchFrameBytes + EncodedSize(key, value));
  encoded.append(kBatchFrameBytes, '\0');
  EncodeRecord(type, key, value, &encoded);

  // Alone (a sync is free, nobody is queued, nobody is writing): write and
  // sync the record on this thread, without waking anyone.
  if (io_mu_.TryLock()) {
    std::optional<size_t> slot;
    {
      absl::MutexLock lock(&mu_);
      if (failure_.ok() && !stopping_ && pending_.empty() && !free_syncs_.empty()) {
        slot = free_syncs_.back();
        free_syncs_.pop_back();
      }
    }
    if (!slot) {
      io_mu_.Unlock();
    } else {
      const Written written = WriteLocked(&encoded, 1, /*refused=*/false);
      io_mu_.Unlock();
      return SyncWritten(written, *slot, 1);
    }
  }

  // Otherwise join the batch being gathered; a committer takes it as soon as
  // a sync is free.
  std::shared_ptr<Batch> batch;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError(absl::StrCat("journal ", dir_, " is closed"));
    if (!failure_.ok()) {
      // Answered only once on_failure has run, like the writers of the
      // failed batch.
      auto reported = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return failure_reported_; };
      mu_.Await(absl::Condition(&reported));
      return NotWritable(dir_, failure_);
    }
    // The first record of a batch brings the room for its frame.
    const size_t from = pending_.empty() ? 0 : kBatchFrameBytes;
    pending_.append(encoded, from, std::string::npos);
    ++pending_records_;
    batch = filling_;
  }
  // Outside mu_: the committer sets the event after the batch's sync, and the
  // writers of the next batch never contend with this one's wake-up.
  batch->done.Wait();
  return batch->status;
}

void Journal::CommitLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return (!pending_.empty() && !free_syncs_.empty()) || (stopping_ && pending_.empty());
      };
      mu_.Await(absl::Condition(&ready));
      if (pending_.empty()) return;  // stopping, and everything is written
    }
    std::string bytes;
    std::shared_ptr<Batch> batch;
    uint64_t count = 0;
    size_t slot = 0;
    Written written;
    {
      // Taking the batch and writing it under io_mu_ keeps records in the
      // file in the order they were taken; the sync happens outside it.
      absl::MutexLock io(&io_mu_);
      bool refused = false;
      {
        absl::MutexLock lock(&mu_);
        // Another committer, or an append on its own, got there first.
        if (pending_.empty() || free_syncs_.empty()) continue;
        bytes.swap(pending_);
        batch = std::exchange(filling_, std::make_shared<Batch>());
        count = std::exchange(pending_records_, 0);
        slot = free_syncs_.back();
        free_syncs_.pop_back();
        refused = !failure_.ok();
      }
      written = WriteLocked(&bytes, count, refused);
    }
    batch->status = SyncWritten(written, slot, count);
    batch->done.Set();
  }
}

Journal::Written Journal::WriteLocked(std::string* batch, uint64_t records, bool refused) {
  Written result;
  result.refused = refused;
  if (refused) return result;  // after a failure nothing more is written
  result.segment = active_;
  FillBatchFrame(static_cast<uint32_t>(records), active_->durable_end.load(), batch);
  result.written = WriteAll(active_->writer, *batch, active_->path);
  if (!result.written.ok()) {
    // Before io_mu_ is released: nothing may follow a record that may be torn.
    result.first_failure = MarkFailed(result.written);
    return result;
  }
  active_size_ += static_cast<int64_t>(batch->size());
  result.end = static_cast<uint64_t>(active_size_);
  if (active_size_ >= options_.segment_bytes) result.rotated = RotateLocked();
  return result;
}

absl::Status Journal::SyncWritten(const Written& written, size_t slot, uint64_t records) {
  // Durable once this sync returns OK: it covers these records and all
  // written before them (same file, or a closed segment that rotation synced).
  absl::Status synced = written.refused ? absl::OkStatus() : written.written;
  bool first_failure = written.first_failure;
  if (!written.refused && synced.ok()) {
    synced = options_.sync_data(written.segment->syncers[slot], written.segment->path);
    if (!synced.ok()) first_failure = MarkFailed(synced);
  }
  if (!written.refused && synced.ok()) {
    // Syncs return out of order; the furthest one counts.
    uint64_t durable = written.segment->durable_end.load();
    while (durable < written.end &&
           !written.segment->durable_end.compare_exchange_weak(durable, written.end)) {
    }
  }
  const bool durable = !written.refused && synced.ok();
  if (durable && !written.rotated.ok()) first_failure = MarkFailed(written.rotated);
  // Writers learn of a failure only after on_failure has run (the server
  // leaves its load balancer's rotation first).
  if (!durable || !written.rotated.ok()) {
    ReportFailure(first_failure, durable ? written.rotated : synced);
  }
  absl::MutexLock lock(&mu_);
  free_syncs_.push_back(slot);
  if (!durable) return NotWritable(dir_, failure_);
  stats_.appends += records;
  ++stats_.syncs;
  // A batch whose own sync succeeded is durable, even when the rotation
  // after it failed; only later appends are refused.
  return absl::OkStatus();
}

bool Journal::MarkFailed(const absl::Status& problem) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return false;
  failure_ = problem;
  logging::Error("journal write failed; the server accepts no more writes until restarted",
                 {{"dir", dir_}, {"error", problem.message()}});
  return true;
}

void Journal::ReportFailure(bool first, const absl::Status& problem) {
  if (first) {
    // Outside mu_, so the callback may take its own locks in any order.
    if (options_.on_failure) options_.on_failure(problem);
    absl::MutexLock lock(&mu_);
    failure_reported_ = true;
    return;
  }
  absl::MutexLock lock(&mu_);
  auto reported = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return failure_reported_; };
  mu_.Await(absl::Condition(&reported));
}

void Journal::CompactLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return compaction_wanted_ || stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
    }
    if (absl::Status compacted = Compact(); !compacted.ok()) {
      logging::Error("journal compaction failed; the segments stay and replay takes longer",
                     {{"dir", dir_}, {"error", compacted.message()}});
    }
  }
}

absl::Status Journal::Compact() {
  absl::MutexLock compacting(&compact_mu_);
  uint64_t first = 0;
  uint64_t end = 0;
  std::optional<uint64_t> base;
  {
    absl::MutexLock lock(&mu_);
    compaction_wanted_ = false;
    first = oldest_segment_;
    end = active_number_;
    base = snapshot_;
  }
  if (first >= end) return absl::OkStatus();  // no closed segment to fold

  int64_t folded_bytes = 0;
  for (uint64_t n = first; n < end; ++n) {
    absl::StatusOr<int64_t> size = FileSize(FilePath(dir_, FileKind::kSegment, n));
    if (!size.ok()) return size.status();
    folded_bytes += *size;
  }
  absl::StatusOr<int64_t> snapshot_bytes = FoldIntoSnapshot(dir_, base, first, end);
  if (!snapshot_bytes.ok()) return snapshot_bytes.status();
  {
    absl::MutexLock lock(&mu_);
    snapshot_ = end;
    snapshot_bytes_ = *snapshot_bytes;
    oldest_segment_ = end;
    closed_bytes_ -= folded_bytes;
    stats_.snapshot = end;
    ++stats_.snapshots_written;
  }
  // The new snapshot is durable; what it replaces can go. A crash before this
  // completes leaves files that the next startup recognises and removes.
  for (uint64_t n = first; n < end; ++n) {
    if (absl::Status s = RemoveFile(FilePath(dir_, FileKind::kSegment, n)); !s.ok()) return s;
  }
  if (base) {
    if (absl::Status s = RemoveFile(FilePath(dir_, FileKind::kSnapshot, *base)); !s.ok()) return s;
  }
  return SyncDir(dir_);
}

JournalStats Journal::Stats() const {
  absl::MutexLock lock(&mu_);
  JournalStats stats = stats_;
  stats.queued = pending_records_;
  return stats;
}

}  // namespace backinstock::store::journal
