#include "server/store/journal/snapshot.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "server/store/journal/file_scan.h"
#include "server/store/journal/layout.h"
#include "server/store/journal/record.h"

namespace backinstock::store::journal {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

}  // namespace

absl::StatusOr<SnapshotWriter> SnapshotWriter::Create(const std::string& dir, uint64_t number) {
  SnapshotWriter writer;
  writer.dir_ = dir;
  writer.final_path_ = FilePath(dir, FileKind::kSnapshot, number);
  writer.temp_path_ = absl::StrCat(writer.final_path_, kTempSuffix);
  // A temporary file left by a crashed attempt is garbage: start afresh.
  if (absl::Status removed = RemoveFile(writer.temp_path_); !removed.ok()) return removed;
  absl::StatusOr<File> file = OpenForWrite(writer.temp_path_, OpenMode::kCreate);
  if (!file.ok()) return file.status();
  writer.file_ = *std::move(file);
  EncodeFileHeader(FileKind::kSnapshot, number, &writer.buffer_);
  return writer;
}

absl::Status SnapshotWriter::Add(absl::string_view key, absl::string_view value) {
  if (EncodedSize(key, value) - kHeaderBytes > kMaxBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("snapshot entry for key of ", key.size(), " bytes is too large"));
  }
  EncodeRecord(RecordType::kPut, key, value, &buffer_);
  ++entries_;
  return buffer_.size() >= kFlushBytes ? Flush() : absl::OkStatus();
}

absl::Status SnapshotWriter::Flush() {
  absl::Status written = WriteAll(file_, buffer_, temp_path_);
  bytes_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  return written;
}

absl::StatusOr<int64_t> SnapshotWriter::Commit() {
  EncodeRecord(RecordType::kSnapshotEnd, "", SnapshotEndValue(entries_), &buffer_);
  if (absl::Status s = Flush(); !s.ok()) return s;
  if (absl::Status s = SyncData(file_, temp_path_); !s.ok()) return s;
  file_ = File();
  if (absl::Status s = RenameFile(temp_path_, final_path_); !s.ok()) return s;
  if (absl::Status s = SyncDir(dir_); !s.ok()) return s;
  return bytes_;
}

absl::StatusOr<int64_t> FoldIntoSnapshot(const std::string& dir, std::optional<uint64_t> base,
                                         uint64_t first_segment, uint64_t end_segment) {
  absl::flat_hash_map<std::string, std::string> state;
  auto fold = [&state](const RecordView& record) {
    if (record.type == RecordType::kPut) {
      state.insert_or_assign(std::string(record.key), std::string(record.value));
    } else {
      state.erase(record.key);
    }
    return absl::OkStatus();
  };
  auto scan = [&](FileKind kind, uint64_t number) -> absl::Status {
    const std::string path = FilePath(dir, kind, number);
    absl::StatusOr<std::string> contents = ReadWholeFile(path);
    if (!contents.ok()) return contents.status();
    return ScanFile(path, *contents, kind, number, TailPolicy::kStrict, fold).status();
  };
  if (base) {
    if (absl::Status s = scan(FileKind::kSnapshot, *base); !s.ok()) return s;
  }
  for (uint64_t n = first_segment; n < end_segment; ++n) {
    if (absl::Status s = scan(FileKind::kSegment, n); !s.ok()) return s;
  }
  absl::StatusOr<SnapshotWriter> writer = SnapshotWriter::Create(dir, end_segment);
  if (!writer.ok()) return writer.status();
  for (const auto& [key, value] : state) {
    if (absl::Status s = writer->Add(key, value); !s.ok()) return s;
  }
  return writer->Commit();
}

}  // namespace backinstock::store::journal
