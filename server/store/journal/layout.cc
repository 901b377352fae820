#include "server/store/journal/layout.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/store/journal/record.h"

namespace backinstock::store::journal {
namespace {

constexpr absl::string_view kSegmentPrefix = "journal-";
constexpr absl::string_view kSegmentSuffix = ".log";
constexpr absl::string_view kSnapshotPrefix = "snapshot-";
constexpr absl::string_view kSnapshotSuffix = ".snap";
constexpr size_t kDigits = 20;

std::optional<uint64_t> ParseNumber(absl::string_view name, absl::string_view prefix,
                                    absl::string_view suffix) {
  if (!absl::StartsWith(name, prefix) || !absl::EndsWith(name, suffix)) return std::nullopt;
  name.remove_prefix(prefix.size());
  name.remove_suffix(suffix.size());
  if (name.size() != kDigits) return std::nullopt;
  for (char c : name) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  uint64_t number = 0;
  if (!absl::SimpleAtoi(name, &number)) return std::nullopt;
  return number;
}

std::string Fixed64(uint64_t value) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

}  // namespace

std::string FileName(FileKind kind, uint64_t number) {
  return kind == FileKind::kSegment
             ? absl::StrFormat("%s%020u%s", kSegmentPrefix, number, kSegmentSuffix)
             : absl::StrFormat("%s%020u%s", kSnapshotPrefix, number, kSnapshotSuffix);
}

std::string FilePath(const std::string& dir, FileKind kind, uint64_t number) {
  return absl::StrCat(dir, "/", FileName(kind, number));
}

std::optional<FileId> ParseFileName(absl::string_view name) {
  if (auto n = ParseNumber(name, kSegmentPrefix, kSegmentSuffix))
    return FileId{FileKind::kSegment, *n};
  if (auto n = ParseNumber(name, kSnapshotPrefix, kSnapshotSuffix))
    return FileId{FileKind::kSnapshot, *n};
  return std::nullopt;
}

constexpr absl::string_view kSegmentV1Key = "backinstock.journal.v1";
constexpr absl::string_view kSegmentBatchedKey = "backinstock.journal.v2";

absl::string_view FileHeaderKey(FileKind kind) {
  return kind == FileKind::kSegment ? kSegmentBatchedKey : "backinstock.snapshot.v1";
}

std::optional<int> SegmentFormat(absl::string_view header_key) {
  if (header_key == kSegmentV1Key) return kSegmentFormatV1;
  if (header_key == kSegmentBatchedKey) return kSegmentFormatBatched;
  return std::nullopt;
}

std::string FileHeaderValue(uint64_t number) { return Fixed64(number); }

std::string SnapshotEndValue(uint64_t entries) { return Fixed64(entries); }

void EncodeFileHeader(FileKind kind, uint64_t number, std::string* out) {
  EncodeRecord(RecordType::kFileHeader, FileHeaderKey(kind), FileHeaderValue(number), out);
}

}  // namespace backinstock::store::journal
