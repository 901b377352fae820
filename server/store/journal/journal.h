// A durable, append-only log of key/value mutations with group commit,
// snapshots and crash recovery; the disk half of a durable store.
//
// A store opens the journal on its directory, which replays the latest
// snapshot and the segments written after it through the store's apply
// function, then appends one record per mutation. Append returns only once the
// record is on stable storage (written and fdatasync'ed).
//
// Group commit: up to `syncs` fdatasyncs run at once, each through a file
// descriptor of its own (so a write-back error is reported to every sync in
// flight: Linux reports it once per open file description, and one sync
// cannot swallow another's). Records reach the file strictly in order, one
// write at a time, but a sync does not wait for the previous one to return,
// and the kernel merges the cache flushes of overlapping syncs: on a disk
// whose flush takes milliseconds, this is what keeps writers from queueing
// behind one sync after another.
//  - An append that finds a sync free and nobody queued writes and syncs its
//    own record on its own thread: no hand-off, no wake-up.
//  - Otherwise it joins the batch being gathered, and waits on the batch's
//    event. As soon as a sync is free, a committer thread takes the whole
//    batch, writes it with one write(2), syncs it with one fdatasync, and
//    wakes all of its writers with one system call.
//
// The store must append a key's mutations in the order it applies them (for
// example by holding a per-key lock from Append to applying), and apply a
// mutation only after its Append succeeded.
//
// Segments close at `segment_bytes`; closed segments are folded, in the
// background, into a new snapshot that replaces them, so replay time and disk
// use stay bounded by the size of the state. See layout.h for the files.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_JOURNAL_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_JOURNAL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/store/journal/files.h"
#include "server/store/journal/one_shot_event.h"
#include "server/store/journal/record.h"

namespace backinstock::store::journal {

struct ScanResult;  // file_scan.h

struct JournalOptions {
  // The active segment is closed, and a new one started, once it reaches this
  // size.
  int64_t segment_bytes = 16 << 20;
  // Fold closed segments into a snapshot in the background once they add up to
  // max(segment_bytes, size of the last snapshot): compaction work stays
  // proportional to the writes, and replay reads at most about twice the state.
  bool background_compaction = true;
  // How many syncs may run at once (at least 1); as many committer threads
  // take batches when appends find every sync busy. Two measured best (see
  // docs/performance.md): a second sync in flight takes writers out of the
  // queue behind the first, while more split batches into ever smaller ones
  // and spend more CPU per write on fdatasync than they save in waiting.
  int syncs = 2;
  // Makes a segment's appended data durable; fdatasync unless a test injects a
  // slow or failing one. Called from several threads at once, each with a
  // descriptor of its own.
  std::function<absl::Status(const File& file, const std::string& path)> sync_data;
  // Called once, from the thread that saw it, when a write or sync fails and the
  // journal stops accepting writes (for example to take the server out of
  // its load balancer's rotation), before any writer is told of the failure.
  // Must not call back into the journal.
  std::function<void(const absl::Status& failure)> on_failure;
};

// What startup found and did.
struct RecoveryInfo {
  std::optional<uint64_t> snapshot;  // number of the snapshot loaded
  uint64_t snapshot_entries = 0;
  uint64_t segments = 0;         // segments replayed
  uint64_t journal_records = 0;  // records replayed from them
  // A torn tail (unacknowledged batches a crash cut short), dropped, and the
  // segment truncated before it.
  std::string torn_file;
  size_t torn_offset = 0;
  size_t torn_bytes = 0;
};

struct JournalStats {
  uint64_t appends = 0;  // records made durable since Open
  uint64_t syncs = 0;    // data syncs of the active segment since Open
  uint64_t queued = 0;   // appends waiting for the next batch
  uint64_t active_segment = 0;
  std::optional<uint64_t> snapshot;
  uint64_t snapshots_written = 0;
};

class Journal {
 public:
  using Apply = absl::FunctionRef<absl::Status(const RecordView&)>;

  // Opens (creating if needed) and locks `dir`, then replays it through
  // `apply` (kPut and kDelete records, in order). DATA_LOSS, naming the file
  // and byte offset, when a snapshot or segment is damaged anywhere but in
  // the last record of the last segment; FAILED_PRECONDITION when another
  // process has the directory.
  static absl::StatusOr<std::unique_ptr<Journal>> Open(const std::string& dir,
                                                       JournalOptions options, Apply apply);

  // Writes out what is pending, stops the threads, releases the directory.
  ~Journal();

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one record and waits until it is durable. After a write or sync
  // failure the journal accepts nothing more (the state of the file is
  // unknown): this and every later call return UNAVAILABLE.
  absl::Status Append(RecordType type, absl::string_view key, absl::string_view value);
  absl::Status Put(absl::string_view key, absl::string_view value) {
    return Append(RecordType::kPut, key, value);
  }
  absl::Status Delete(absl::string_view key) { return Append(RecordType::kDelete, key, ""); }

  // Closes the active segment now and starts the next one.
  absl::Status Rotate();

  // Folds every closed segment into a new snapshot now, and removes them.
  absl::Status Compact();

  const RecoveryInfo& recovery() const { return recovery_; }
  JournalStats Stats() const;
  const std::string& dir() const { return dir_; }

 private:
  Journal(std::string dir, JournalOptions options);

  // The active segment: one descriptor to write through, and one per sync
  // slot to sync through. Shared, so that a sync in flight keeps its
  // descriptor open across a rotation.
  struct Segment {
    std::string path;
    File writer;
    std::vector<File> syncers;
    // Offset up to which a sync has returned: every batch's frame carries it,
    // so that recovery can tell a batch torn by a crash from damage to one
    // that had been acknowledged (batch.h).
    std::atomic<uint64_t> durable_end{0};
  };
  // The fate of one batch of appends, shared by its committer and its
  // writers: `status` is written before `done` is set.
  struct Batch {
    OneShotEvent done;
    absl::Status status;
  };

  // Recovery, in the order Recover runs it: find the files, load the newest
  // snapshot, replay the segments after it (repairing a torn last one),
  // remove what is obsolete, and open the segment appends go to.
  struct RecoveryPlan;
  struct ReplayedSegments;
  absl::Status Recover(Apply apply);
  absl::StatusOr<RecoveryPlan> PlanRecovery() const;
  absl::Status LoadSnapshot(const RecoveryPlan& plan, Apply apply);
  // Replays every segment; adds a last segment without even a header to
  // `plan.obsolete`.
  absl::StatusOr<ReplayedSegments> ReplaySegments(RecoveryPlan& plan, Apply apply);
  void NoteTornTail(const std::string& path, const ScanResult& scanned);
  absl::Status RepairLastSegment(const std::string& path, const ScanResult& scanned);
  absl::Status RemoveObsolete(const std::vector<std::string>& obsolete) const;
  absl::Status ResumeAppending(const RecoveryPlan& plan, const ReplayedSegments& replayed);
  absl::StatusOr<std::shared_ptr<Segment>> OpenSegment(const std::string& path, File writer) const;
  absl::Status CreateSegment(uint64_t number) ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  absl::Status RotateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // What writing a batch (or one record) under io_mu_ did.
  struct Written {
    bool refused = false;  // an earlier failure: nothing was written
    absl::Status written;
    absl::Status rotated;
    bool first_failure = false;  // `written` failed, and is the journal's first failure
    std::shared_ptr<Segment> segment;
    uint64_t end = 0;  // offset in `segment` just past the batch
  };
  // Frames and writes a batch: `batch` starts with kBatchFrameBytes reserved
  // for the frame, followed by `records` encoded records.
  Written WriteLocked(std::string* batch, uint64_t records, bool refused)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(io_mu_);
  // Syncs what WriteLocked wrote through sync slot `slot`, reports a failure,
  // frees the slot; the status for the writers of those `records`.
  absl::Status SyncWritten(const Written& written, size_t slot, uint64_t records)
      ABSL_LOCKS_EXCLUDED(mu_, io_mu_);
  void CommitLoop();
  // Makes `problem` the journal's sticky failure; true for the first one.
  bool MarkFailed(const absl::Status& problem) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs on_failure for the first failure (`first`), or waits until it ran.
  void ReportFailure(bool first, const absl::Status& problem) ABSL_LOCKS_EXCLUDED(mu_);
  void CompactLoop();

  const std::string dir_;
  const JournalOptions options_;
  File lock_;
  RecoveryInfo recovery_;

  // Lock order: compact_mu_, then io_mu_, then mu_.
  absl::Mutex compact_mu_ ABSL_ACQUIRED_BEFORE(io_mu_);  // one compaction at a time

  // The active segment: written by one thread at a time, switched by
  // rotation. Batches are taken from `pending_` under io_mu_ too, so they
  // reach the file in the order they were taken.
  absl::Mutex io_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  std::shared_ptr<Segment> active_ ABSL_GUARDED_BY(io_mu_);
  int64_t active_size_ ABSL_GUARDED_BY(io_mu_) = 0;

  mutable absl::Mutex mu_;
  // Encoded records waiting for a committer, after room for their batch's
  // frame; empty when none wait.
  std::string pending_ ABSL_GUARDED_BY(mu_);
  uint64_t pending_records_ ABSL_GUARDED_BY(mu_) = 0;
  // The batch the pending records belong to (never null).
  std::shared_ptr<Batch> filling_ ABSL_GUARDED_BY(mu_) = std::make_shared<Batch>();
  std::vector<size_t> free_syncs_ ABSL_GUARDED_BY(mu_);  // sync slots not in use
  absl::Status failure_ ABSL_GUARDED_BY(mu_);            // sticky write or sync failure
  bool failure_reported_ ABSL_GUARDED_BY(mu_) = false;   // on_failure has returned
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t active_number_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t oldest_segment_ ABSL_GUARDED_BY(mu_) = 0;  // first segment not in a snapshot
  std::optional<uint64_t> snapshot_ ABSL_GUARDED_BY(mu_);
  int64_t snapshot_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t closed_bytes_ ABSL_GUARDED_BY(mu_) = 0;  // closed segments not yet folded
  bool compaction_wanted_ ABSL_GUARDED_BY(mu_) = false;
  JournalStats stats_ ABSL_GUARDED_BY(mu_);

  std::vector<std::thread> committers_;
  std::thread compactor_;
};

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_JOURNAL_H_
