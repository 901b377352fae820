// Snapshots: the value of every key after a prefix of the journal, written so
// that a crash at any moment leaves either the previous snapshot or the new
// one, never a half-written file under a snapshot name: the data goes to a
// temporary file that is synced, renamed into place, and the directory synced.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_SNAPSHOT_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/journal/files.h"

namespace backinstock::store::journal {

class SnapshotWriter {
 public:
  // Starts writing snapshot `number` in `dir` (as a temporary file).
  static absl::StatusOr<SnapshotWriter> Create(const std::string& dir, uint64_t number);

  absl::Status Add(absl::string_view key, absl::string_view value);

  // Writes the end record, syncs, renames into place and syncs the directory.
  // Returns the snapshot's size in bytes.
  absl::StatusOr<int64_t> Commit();

 private:
  SnapshotWriter() = default;
  absl::Status Flush();

  std::string dir_;
  std::string temp_path_;
  std::string final_path_;
  File file_;
  std::string buffer_;
  uint64_t entries_ = 0;
  int64_t bytes_ = 0;
};

// Folds snapshot `base` (if any) and segments [first_segment, end_segment) of
// `dir` into snapshot `end_segment`. Those segments must all be closed. Returns
// the new snapshot's size.
absl::StatusOr<int64_t> FoldIntoSnapshot(const std::string& dir, std::optional<uint64_t> base,
                                         uint64_t first_segment, uint64_t end_segment);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_SNAPSHOT_H_
