// Reads back a segment or snapshot file record by record, checking every
// checksum and the framing (header first; for snapshots, the end record last;
// in batched segments, every batch whole, see batch.h).
//
// Only the last segment may end badly: a crash can cut the batches being
// written and synced. In a batched segment, a damaged batch that no later
// batch shows to have been synced is a torn tail, with everything after it;
// in a version 1 segment, a bad record with no valid record anywhere after
// it. A torn tail is reported and left for the caller to drop. Anything else
// damaged, or any bad record in another file, is corruption: the scan fails
// with the file and the byte offset.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_FILE_SCAN_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_FILE_SCAN_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/journal/layout.h"
#include "server/store/journal/record.h"

namespace backinstock::store::journal {

enum class TailPolicy {
  kStrict,        // closed segments and snapshots: they were synced whole
  kAllowTornTail  // the last segment
};

struct ScanResult {
  int format = 0;           // the file's format (layout.h); 0 when its header was torn
  uint64_t records = 0;     // kPut and kDelete records handed to the visitor
  size_t valid_end = 0;     // offset just past the last good record (0: not even a header)
  size_t torn_bytes = 0;    // bytes after valid_end (kAllowTornTail only)
  std::string torn_reason;  // why the tail was judged torn
};

// Handed every kPut and kDelete record in file order; an error stops the scan.
using RecordVisitor = absl::FunctionRef<absl::Status(const RecordView&)>;

// `path` is for messages only; `contents` is the whole file. DATA_LOSS for
// corruption, with "<path>: byte offset <n>: <what>".
absl::StatusOr<ScanResult> ScanFile(const std::string& path, absl::string_view contents,
                                    FileKind kind, uint64_t number, TailPolicy policy,
                                    RecordVisitor visit);

// True when a complete, valid record starts anywhere in `data` (used to tell a
// torn tail from damage in the middle).
bool AnyValidRecordIn(absl::string_view data);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_FILE_SCAN_H_
