// What a journal directory holds and how its files are named:
//
//   LOCK                               held (flock) by the process using the directory
//   snapshot-<N>.snap                  every key's value after all segments numbered < N
//   journal-<N>.log, journal-<N+1>.log the segments written since, replayed in order
//   *.tmp                              a snapshot being written; removed at startup
//
// Numbers are 20-digit zero-padded decimals so that names sort in order. Every
// file begins with a kFileHeader record naming its kind and its number, so a
// file renamed or copied to the wrong place is refused rather than replayed.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_LAYOUT_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_LAYOUT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::store::journal {

enum class FileKind { kSegment, kSnapshot };

struct FileId {
  FileKind kind = FileKind::kSegment;
  uint64_t number = 0;
};

// "journal-00000000000000000007.log", "snapshot-00000000000000000007.snap".
std::string FileName(FileKind kind, uint64_t number);
std::string FilePath(const std::string& dir, FileKind kind, uint64_t number);

// The kind and number of a journal or snapshot file name; nullopt for others.
std::optional<FileId> ParseFileName(absl::string_view name);

inline constexpr absl::string_view kTempSuffix = ".tmp";

// The kFileHeader record that starts a file of `kind` numbered `number`.
void EncodeFileHeader(FileKind kind, uint64_t number, std::string* out);

// The key and value a file header written by this build carries.
absl::string_view FileHeaderKey(FileKind kind);

// Segment formats, named by the header key: 1, records one after another
// (earlier builds; still read, never appended to), and 2, records framed in
// batches (batch.h), which this build writes. Snapshots have one format.
inline constexpr int kSegmentFormatV1 = 1;
inline constexpr int kSegmentFormatBatched = 2;
// The format a segment header key names; nullopt for none.
std::optional<int> SegmentFormat(absl::string_view header_key);
std::string FileHeaderValue(uint64_t number);

// The kSnapshotEnd value for `entries` entries.
std::string SnapshotEndValue(uint64_t entries);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_LAYOUT_H_
