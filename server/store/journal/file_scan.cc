#include "server/store/journal/file_scan.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "server/store/journal/batch.h"
#include "server/store/journal/crc.h"

namespace backinstock::store::journal {
namespace {

absl::Status Corrupt(const std::string& path, size_t offset, absl::string_view what) {
  return absl::DataLossError(absl::StrCat(path, ": byte offset ", offset, ": ", what));
}

uint64_t GetFixed64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return value;
}

// Hands a data record to the visitor, prefixing its error with the place.
absl::Status Visit(const std::string& path, size_t offset, const RecordView& record,
                   RecordVisitor visit) {
  absl::Status applied = visit(record);
  if (applied.ok()) return applied;
  return absl::Status(applied.code(),
                      absl::StrCat(path, ": byte offset ", offset, ": ", applied.message()));
}

// Checks the file header at the start of `contents`; its format (1 for
// snapshots) or the problem.
absl::StatusOr<int> CheckHeader(const std::string& path, const RecordView& record, FileKind kind,
                                uint64_t number) {
  std::optional<int> format;
  if (record.type == RecordType::kFileHeader) {
    if (kind == FileKind::kSegment) {
      format = SegmentFormat(record.key);
    } else if (record.key == FileHeaderKey(kind)) {
      format = 1;
    }
  }
  if (!format) return Corrupt(path, 0, absl::StrCat("not a ", FileHeaderKey(kind), " file"));
  if (record.value != FileHeaderValue(number)) {
    return Corrupt(path, 0, "the file's header names another file number than its name");
  }
  return *format;
}

// Records one after another: snapshots and version 1 segments. Only the last
// segment may end badly (a crash can cut the write in progress): a bad record
// there with no valid record anywhere after it is a torn tail.
absl::Status ScanRecords(const std::string& path, absl::string_view contents, size_t offset,
                         FileKind kind, TailPolicy policy, RecordVisitor visit,
                         ScanResult* result) {
  bool saw_end = false;
  uint64_t entries = 0;
  while (offset < contents.size()) {
    const Decoded decoded = DecodeRecord(contents.substr(offset));
    if (decoded.status != DecodeStatus::kOk) {
      const absl::string_view rest = contents.substr(offset);
      const bool last_thing_in_file =
          decoded.status == DecodeStatus::kIncomplete || !AnyValidRecordIn(rest.substr(1));
      if (policy == TailPolicy::kAllowTornTail && last_thing_in_file) {
        result->torn_bytes = rest.size();
        result->torn_reason = decoded.why;
        break;
      }
      return Corrupt(path, offset, decoded.why);
    }
    const RecordView& record = decoded.record;
    if (saw_end) return Corrupt(path, offset, "record after the snapshot's end record");
    if (record.type == RecordType::kFileHeader) {
      return Corrupt(path, offset, "a second file header");
    } else if (record.type == RecordType::kBatch) {
      return Corrupt(path, offset, "a batch frame in a file of unbatched records");
    } else if (record.type == RecordType::kSnapshotEnd) {
      if (kind != FileKind::kSnapshot)
        return Corrupt(path, offset, "a snapshot end record in a journal segment");
      if (record.value.size() != 8 || GetFixed64(record.value) != entries) {
        return Corrupt(path, offset, "the snapshot's end record does not match its entry count");
      }
      saw_end = true;
    } else {
      if (kind == FileKind::kSnapshot && record.type != RecordType::kPut) {
        return Corrupt(path, offset, "a snapshot holds only put records");
      }
      if (absl::Status s = Visit(path, offset, record, visit); !s.ok()) return s;
      ++entries;
      ++result->records;
    }
    offset += decoded.size;
    result->valid_end = offset;
  }
  if (kind == FileKind::kSnapshot && !saw_end) {
    return Corrupt(path, contents.size(), "the snapshot has no end record (incomplete file)");
  }
  return absl::OkStatus();
}

// One batch at `offset`: its frame, and where its records lie.
struct Batch {
  const char* damage = nullptr;     // why it is not a whole batch (a crash may explain it)
  const char* malformed = nullptr;  // whole, yet wrong: never a crash's doing
  size_t records_at = 0;
  size_t end = 0;
  uint32_t records = 0;
};

Batch ReadBatch(absl::string_view contents, size_t offset) {
  Batch batch;
  const Decoded decoded = DecodeRecord(contents.substr(offset));
  if (decoded.status != DecodeStatus::kOk) {
    batch.damage = decoded.why;
    return batch;
  }
  const std::optional<BatchFrame> frame = ParseBatchFrame(decoded.record);
  if (!frame) {
    batch.malformed = "expected a batch frame";
    return batch;
  }
  if (frame->durable_end > offset) {
    batch.malformed = "the batch frame says more of the file was synced than precedes it";
    return batch;
  }
  batch.records_at = offset + decoded.size;
  if (frame->length > contents.size() - batch.records_at) {
    batch.damage = "the file ends inside a batch";
    return batch;
  }
  batch.end = batch.records_at + frame->length;
  batch.records = frame->records;
  if (Crc32(contents.substr(batch.records_at, frame->length)) != frame->crc) {
    batch.damage = "batch checksum mismatch";
  }
  return batch;
}

// The offset of a valid batch frame after `damaged` whose writer knew a sync
// covering `damaged` had returned; nullopt when there is none.
std::optional<size_t> LaterFrameVouchingFor(absl::string_view contents, size_t damaged) {
  for (size_t offset = damaged + 1; offset + kBatchFrameBytes <= contents.size(); ++offset) {
    const Decoded decoded = DecodeRecord(contents.substr(offset, kBatchFrameBytes));
    if (decoded.status != DecodeStatus::kOk) continue;
    const std::optional<BatchFrame> frame = ParseBatchFrame(decoded.record);
    if (frame && frame->durable_end > damaged && frame->durable_end <= offset) return offset;
  }
  return std::nullopt;
}

// Version 2 segments: batches (batch.h). In the last segment, a damaged
// batch no later frame vouches for was never acknowledged: it and everything
// after it is a torn tail.
absl::Status ScanBatches(const std::string& path, absl::string_view contents, size_t offset,
                         TailPolicy policy, RecordVisitor visit, ScanResult* result) {
  while (offset < contents.size()) {
    const Batch batch = ReadBatch(contents, offset);
    if (batch.malformed) return Corrupt(path, offset, batch.malformed);
    if (batch.damage) {
      if (policy == TailPolicy::kStrict) return Corrupt(path, offset, batch.damage);
      if (std::optional<size_t> later = LaterFrameVouchingFor(contents, offset)) {
        return Corrupt(path, offset,
                       absl::StrCat(batch.damage, ", and the batch at byte offset ", *later,
                                    " was written after this one had been synced (acknowledged "
                                    "data is damaged)"));
      }
      result->torn_bytes = contents.size() - offset;
      result->torn_reason = batch.damage;
      return absl::OkStatus();
    }
    // The batch is whole: its records must fill it exactly.
    uint32_t seen = 0;
    for (size_t at = batch.records_at; at < batch.end; ++seen) {
      const Decoded decoded = DecodeRecord(contents.substr(at, batch.end - at));
      if (decoded.status != DecodeStatus::kOk) return Corrupt(path, at, decoded.why);
      if (decoded.record.type != RecordType::kPut && decoded.record.type != RecordType::kDelete) {
        return Corrupt(path, at, "a batch holds only put and delete records");
      }
      at += decoded.size;
    }
    if (seen != batch.records || seen == 0) {
      return Corrupt(path, offset, "the batch frame does not match the records it holds");
    }
    for (size_t at = batch.records_at; at < batch.end;) {
      const Decoded decoded = DecodeRecord(contents.substr(at, batch.end - at));
      if (absl::Status s = Visit(path, at, decoded.record, visit); !s.ok()) return s;
      ++result->records;
      at += decoded.size;
    }
    offset = batch.end;
    result->valid_end = offset;
  }
  return absl::OkStatus();
}

}  // namespace

bool AnyValidRecordIn(absl::string_view data) {
  for (size_t offset = 0; offset + kHeaderBytes <= data.size(); ++offset) {
    if (DecodeRecord(data.substr(offset)).status == DecodeStatus::kOk) return true;
  }
  return false;
}

absl::StatusOr<ScanResult> ScanFile(const std::string& path, absl::string_view contents,
                                    FileKind kind, uint64_t number, TailPolicy policy,
                                    RecordVisitor visit) {
  ScanResult result;
  const Decoded header = DecodeRecord(contents);
  if (header.status != DecodeStatus::kOk) {
    // A file whose very header a crash cut short holds nothing acknowledged.
    const bool torn = header.status == DecodeStatus::kIncomplete ||
                      !AnyValidRecordIn(contents.substr(std::min<size_t>(1, contents.size())));
    if (policy == TailPolicy::kAllowTornTail && torn) {
      result.torn_bytes = contents.size();
      result.torn_reason = header.why;
      return result;
    }
    if (contents.empty()) return Corrupt(path, 0, "the file has no header");
    return Corrupt(path, 0, header.why);
  }
  absl::StatusOr<int> format = CheckHeader(path, header.record, kind, number);
  if (!format.ok()) return format.status();
  result.format = *format;
  result.valid_end = header.size;
  absl::Status scanned =
      kind == FileKind::kSegment && *format == kSegmentFormatBatched
          ? ScanBatches(path, contents, header.size, policy, visit, &result)
          : ScanRecords(path, contents, header.size, kind, policy, visit, &result);
  if (!scanned.ok()) return scanned;
  return result;
}

}  // namespace backinstock::store::journal
