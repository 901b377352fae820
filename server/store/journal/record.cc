#include "server/store/journal/record.h"

#include "server/store/journal/crc.h"

namespace backinstock::store::journal {
namespace {

void PutFixed32(uint32_t value, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

uint32_t GetFixed32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  return value;
}

size_t VarintSize(uint32_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

void PutVarint32(uint32_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads a varint of at most 5 bytes; false when it runs past `in` or overflows.
bool GetVarint32(absl::string_view* in, uint32_t* value) {
  uint32_t result = 0;
  for (int shift = 0; shift <= 28 && !in->empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in->front());
    in->remove_prefix(1);
    if (shift == 28 && byte > 0x0f) return false;
    result |= uint32_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

bool IsKnownType(uint8_t type) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::kPut:
    case RecordType::kDelete:
    case RecordType::kFileHeader:
    case RecordType::kSnapshotEnd:
    case RecordType::kBatch:
      return true;
  }
  return false;
}

}  // namespace

size_t EncodedSize(absl::string_view key, absl::string_view value) {
  return kHeaderBytes + 1 + VarintSize(static_cast<uint32_t>(key.size())) + key.size() +
         value.size();
}

void EncodeRecord(RecordType type, absl::string_view key, absl::string_view value,
                  std::string* out) {
  const size_t header_at = out->size();
  out->append(kHeaderBytes, '\0');
  const size_t body_at = out->size();
  out->push_back(static_cast<char>(type));
  PutVarint32(static_cast<uint32_t>(key.size()), out);
  out->append(key.data(), key.size());
  out->append(value.data(), value.size());

  const absl::string_view body(out->data() + body_at, out->size() - body_at);
  char* header = out->data() + header_at;
  PutFixed32(static_cast<uint32_t>(body.size()), header);
  PutFixed32(Crc32(body), header + 4);
  PutFixed32(Crc32(absl::string_view(header, 8)), header + 8);
}

Decoded DecodeRecord(absl::string_view data) {
  Decoded result;
  if (data.size() < kHeaderBytes) {
    result.status = DecodeStatus::kIncomplete;
    result.why = "the file ends inside a record header";
    return result;
  }
  const uint32_t body_length = GetFixed32(data.data());
  const uint32_t body_crc = GetFixed32(data.data() + 4);
  if (GetFixed32(data.data() + 8) != Crc32(data.substr(0, 8))) {
    result.status = DecodeStatus::kBadHeader;
    result.why = "record header checksum mismatch";
    return result;
  }
  if (body_length == 0 || body_length > kMaxBodyBytes) {
    result.status = DecodeStatus::kBadHeader;
    result.why = "record length out of range";
    return result;
  }
  if (data.size() - kHeaderBytes < body_length) {
    result.status = DecodeStatus::kIncomplete;
    result.why = "the file ends inside a record body";
    return result;
  }
  absl::string_view body = data.substr(kHeaderBytes, body_length);
  if (Crc32(body) != body_crc) {
    result.status = DecodeStatus::kBadBody;
    result.why = "record body checksum mismatch";
    return result;
  }
  const auto type = static_cast<uint8_t>(body.front());
  body.remove_prefix(1);
  uint32_t key_length = 0;
  if (!IsKnownType(type)) {
    result.status = DecodeStatus::kBadBody;
    result.why = "unknown record type";
    return result;
  }
  if (!GetVarint32(&body, &key_length) || key_length > body.size()) {
    result.status = DecodeStatus::kBadBody;
    result.why = "record key overruns the record";
    return result;
  }
  result.record.type = static_cast<RecordType>(type);
  result.record.key = body.substr(0, key_length);
  result.record.value = body.substr(key_length);
  result.size = kHeaderBytes + body_length;
  return result;
}

}  // namespace backinstock::store::journal
