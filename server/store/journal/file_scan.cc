#include "server/store/journal/file_scan.h"

#include "absl/strings/str_cat.h"

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
  size_t offset = 0;
  bool saw_header = false;
  bool saw_end = false;
  uint64_t entries = 0;
  while (offset < contents.size()) {
    const Decoded decoded = DecodeRecord(contents.substr(offset));
    if (decoded.status != DecodeStatus::kOk) {
      const absl::string_view rest = contents.substr(offset);
      const bool last_thing_in_file =
          decoded.status == DecodeStatus::kIncomplete || !AnyValidRecordIn(rest.substr(1));
      if (policy == TailPolicy::kAllowTornTail && last_thing_in_file) {
        result.torn_bytes = rest.size();
        result.torn_reason = decoded.why;
        break;
      }
      return Corrupt(path, offset, decoded.why);
    }
    const RecordView& record = decoded.record;
    if (saw_end) return Corrupt(path, offset, "record after the snapshot's end record");
    if (!saw_header) {
      if (record.type != RecordType::kFileHeader || record.key != FileHeaderKey(kind)) {
        return Corrupt(path, offset, absl::StrCat("not a ", FileHeaderKey(kind), " file"));
      }
      if (record.value != FileHeaderValue(number)) {
        return Corrupt(path, offset, "the file's header names another file number than its name");
      }
      saw_header = true;
    } else if (record.type == RecordType::kFileHeader) {
      return Corrupt(path, offset, "a second file header");
    } else if (record.type == RecordType::kSnapshotEnd) {
      if (kind != FileKind::kSnapshot) return Corrupt(path, offset, "a snapshot end record in a journal segment");
      if (record.value.size() != 8 || GetFixed64(record.value) != entries) {
        return Corrupt(path, offset, "the snapshot's end record does not match its entry count");
      }
      saw_end = true;
    } else {
      if (kind == FileKind::kSnapshot && record.type != RecordType::kPut) {
        return Corrupt(path, offset, "a snapshot holds only put records");
      }
      if (absl::Status applied = visit(record); !applied.ok()) {
        return absl::Status(applied.code(), absl::StrCat(path, ": byte offset ", offset, ": ",
                                                         applied.message()));
      }
      ++entries;
      ++result.records;
    }
    offset += decoded.size;
    result.valid_end = offset;
  }
  if (kind == FileKind::kSnapshot && !saw_end) {
    return Corrupt(path, contents.size(), "the snapshot has no end record (incomplete file)");
  }
  if (!saw_header && policy == TailPolicy::kStrict) {
    return Corrupt(path, 0, "the file has no header");
  }
  return result;
}

}  // namespace backinstock::store::journal
