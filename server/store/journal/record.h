// The record format shared by journal segments and snapshots. A record is
//
//   header, 12 bytes, little endian:
//     u32 body_length   bytes of body that follow the header
//     u32 body_crc      Crc32(body)
//     u32 header_crc    Crc32(the 8 bytes above)
//   body:
//     u8      type      RecordType
//     varint  key_length
//     key     key_length bytes
//     value   the rest of the body
//
// The header has its own checksum so that a flipped bit in a length is caught
// as corruption rather than mistaken for a record cut short by a crash.
// Records are generic: a store journals `kPut key value` and `kDelete key`
// with its own key and value encoding (for example a serialized protobuf).
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_RECORD_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace backinstock::store::journal {

enum class RecordType : uint8_t {
  kPut = 1,     // key now holds value
  kDelete = 2,  // key holds nothing
  // Framing, never handed to stores:
  kFileHeader = 100,   // first record of every file: key names the kind, value the number
  kSnapshotEnd = 101,  // last record of a snapshot: value is the entry count
  kBatch = 102,        // frames the records of one group commit (batch.h)
};

inline constexpr size_t kHeaderBytes = 12;
// Largest body accepted; anything longer is refused when written and treated
// as a damaged header when read.
inline constexpr size_t kMaxBodyBytes = 16 << 20;

// A decoded record; the views point into the buffer it was decoded from.
struct RecordView {
  RecordType type = RecordType::kPut;
  absl::string_view key;
  absl::string_view value;
};

// Appends the encoded record to `out`. The caller keeps bodies under
// kMaxBodyBytes (EncodedSize tells).
void EncodeRecord(RecordType type, absl::string_view key, absl::string_view value,
                  std::string* out);
size_t EncodedSize(absl::string_view key, absl::string_view value);

enum class DecodeStatus {
  kOk,
  kIncomplete,  // the buffer ends inside the header or the body
  kBadHeader,   // header checksum mismatch, or an impossible length
  kBadBody,     // body checksum mismatch, unknown type, or a key overrunning the body
};

struct Decoded {
  DecodeStatus status = DecodeStatus::kOk;
  RecordView record;     // valid when status is kOk
  size_t size = 0;       // header + body bytes, when status is kOk
  const char* why = "";  // what was wrong, for error messages
};

// Decodes the record that starts at `data[0]`. Never reads outside `data`.
Decoded DecodeRecord(absl::string_view data);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_RECORD_H_
