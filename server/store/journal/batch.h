// The frame of one group commit in a version 2 journal segment.
//
// A batch is written with one write(2) and made durable by one fdatasync, but
// a power loss can persist any subset of its pages: a later page may be on
// disk and an earlier one not. Per-record checksums alone then show a hole
// followed by valid records, which looks exactly like damage to acknowledged
// data. So every batch starts with a kBatch record whose value says
//
//   u64 length       bytes of records that follow the frame
//   u32 records      how many
//   u32 crc          Crc32 of those bytes
//   u64 durable_end  offset in this segment up to which a sync had returned
//                    when the batch was written
//
// all little endian. A batch is whole or it is not. `durable_end` is what
// tells a torn batch from damage: a batch that starts before a later frame's
// `durable_end` had been synced, and possibly acknowledged, when that later
// batch was written; a damaged batch that no later frame vouches for was
// never acknowledged (a sync that returned would have covered it), nor was
// anything after it. The checksum over the whole batch also catches stale
// but well-formed records a filesystem could expose in a block it had not
// yet written.
#ifndef BACKINSTOCK_SERVER_STORE_JOURNAL_BATCH_H_
#define BACKINSTOCK_SERVER_STORE_JOURNAL_BATCH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "server/store/journal/record.h"

namespace backinstock::store::journal {

struct BatchFrame {
  uint64_t length = 0;
  uint32_t records = 0;
  uint32_t crc = 0;
  uint64_t durable_end = 0;
};

// Size of an encoded frame (a record with an empty key and a 24-byte value).
inline constexpr size_t kBatchFrameBytes = kHeaderBytes + 2 + 24;

// Writes the frame for the `records` bytes that follow it into the first
// kBatchFrameBytes of `*batch`, which the caller reserved.
void FillBatchFrame(uint32_t records, uint64_t durable_end, std::string* batch);

// The frame a decoded kBatch record carries; nullopt when malformed.
std::optional<BatchFrame> ParseBatchFrame(const RecordView& record);

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_SERVER_STORE_JOURNAL_BATCH_H_
