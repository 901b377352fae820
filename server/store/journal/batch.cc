#include "server/store/journal/batch.h"

#include <cstring>

#include "server/store/journal/crc.h"

namespace backinstock::store::journal {
namespace {

void PutFixed(uint64_t value, int bytes, char* out) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint64_t GetFixed(const char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return value;
}

}  // namespace

void FillBatchFrame(uint32_t records, uint64_t durable_end, std::string* batch) {
  const absl::string_view body = absl::string_view(*batch).substr(kBatchFrameBytes);
  char value[24];
  PutFixed(body.size(), 8, value);
  PutFixed(records, 4, value + 8);
  PutFixed(Crc32(body), 4, value + 12);
  PutFixed(durable_end, 8, value + 16);
  std::string frame;
  frame.reserve(kBatchFrameBytes);
  EncodeRecord(RecordType::kBatch, "", absl::string_view(value, sizeof(value)), &frame);
  std::memcpy(batch->data(), frame.data(), kBatchFrameBytes);
}

std::optional<BatchFrame> ParseBatchFrame(const RecordView& record) {
  if (record.type != RecordType::kBatch || !record.key.empty() || record.value.size() != 24) {
    return std::nullopt;
  }
  const char* value = record.value.data();
  BatchFrame frame;
  frame.length = GetFixed(value, 8);
  frame.records = static_cast<uint32_t>(GetFixed(value + 8, 4));
  frame.crc = static_cast<uint32_t>(GetFixed(value + 12, 4));
  frame.durable_end = GetFixed(value + 16, 8);
  return frame;
}

}  // namespace backinstock::store::journal
