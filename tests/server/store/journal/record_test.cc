// The record codec: round trips, and every kind of damage is caught.
#include "server/store/journal/record.h"

#include <gtest/gtest.h>

#include <string>

#include "server/store/journal/crc.h"
#include "server/store/journal/layout.h"

namespace backinstock::store::journal {
namespace {

// Frames an arbitrary body with correct checksums (to test body validation).
std::string Frame(const std::string& body) {
  std::string header(12, '\0');
  auto put32 = [&header](size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) header[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  put32(0, static_cast<uint32_t>(body.size()));
  put32(4, Crc32(body));
  put32(8, Crc32(absl::string_view(header.data(), 8)));
  return header + body;
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  // The CRC-32/IEEE check value of "123456789".
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);
}

TEST(Record, RoundTripsKeysAndValuesOfAnyBytes) {
  const std::string binary_value("\0\xff\x01value", 8);
  std::string encoded;
  EncodeRecord(RecordType::kPut, "site-1", binary_value, &encoded);
  EncodeRecord(RecordType::kDelete, std::string(300, 'k'), "", &encoded);
  EXPECT_EQ(encoded.size(),
            EncodedSize("site-1", binary_value) + EncodedSize(std::string(300, 'k'), ""));

  Decoded first = DecodeRecord(encoded);
  ASSERT_EQ(first.status, DecodeStatus::kOk) << first.why;
  EXPECT_EQ(first.record.type, RecordType::kPut);
  EXPECT_EQ(first.record.key, "site-1");
  EXPECT_EQ(first.record.value, binary_value);
  Decoded second = DecodeRecord(absl::string_view(encoded).substr(first.size));
  ASSERT_EQ(second.status, DecodeStatus::kOk) << second.why;
  EXPECT_EQ(second.record.type, RecordType::kDelete);
  EXPECT_EQ(second.record.key, std::string(300, 'k'));
  EXPECT_EQ(second.record.value, "");
  EXPECT_EQ(first.size + second.size, encoded.size());
}

TEST(Record, EveryPrefixIsIncomplete) {
  std::string encoded;
  EncodeRecord(RecordType::kPut, "key", "value", &encoded);
  for (size_t length = 0; length < encoded.size(); ++length) {
    EXPECT_EQ(DecodeRecord(absl::string_view(encoded).substr(0, length)).status,
              DecodeStatus::kIncomplete)
        << "prefix of " << length << " bytes";
  }
}

TEST(Record, EveryFlippedBitIsCaught) {
  std::string encoded;
  EncodeRecord(RecordType::kPut, "site-42", "some value bytes", &encoded);
  for (size_t byte = 0; byte < encoded.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = encoded;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      EXPECT_NE(DecodeRecord(damaged).status, DecodeStatus::kOk)
          << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(Record, AFlippedLengthIsABadHeaderNotATruncation) {
  std::string encoded;
  EncodeRecord(RecordType::kPut, "key", "value", &encoded);
  encoded[1] = static_cast<char>(encoded[1] ^ 0x10);  // the length now runs past the end
  EXPECT_EQ(DecodeRecord(encoded).status, DecodeStatus::kBadHeader);
}

TEST(Record, RejectsBodiesThatCheckOutButMakeNoSense) {
  EXPECT_EQ(DecodeRecord(Frame(std::string("\x07\x01kv", 4))).status, DecodeStatus::kBadBody)
      << "unknown type";
  EXPECT_EQ(DecodeRecord(Frame(std::string("\x01\x09kv", 4))).status, DecodeStatus::kBadBody)
      << "key longer than the body";
  EXPECT_EQ(DecodeRecord(Frame(std::string("\x01\xff\xff\xff\xff\xff", 6))).status,
            DecodeStatus::kBadBody)
      << "overlong varint";
  EXPECT_EQ(DecodeRecord(Frame(std::string("\x01", 1))).status, DecodeStatus::kBadBody)
      << "no key length";
  EXPECT_EQ(DecodeRecord(Frame("")).status, DecodeStatus::kBadHeader) << "empty body";
  const Decoded minimal = DecodeRecord(Frame(std::string("\x02\x00", 2)));
  EXPECT_EQ(minimal.status, DecodeStatus::kOk);
  EXPECT_EQ(minimal.record.key, "");
}

TEST(Layout, NamesRoundTripAndSortInOrder) {
  EXPECT_EQ(FileName(FileKind::kSegment, 7), "journal-00000000000000000007.log");
  EXPECT_EQ(FileName(FileKind::kSnapshot, 12), "snapshot-00000000000000000012.snap");
  auto id = ParseFileName(FileName(FileKind::kSnapshot, 18446744073709551615u));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->kind, FileKind::kSnapshot);
  EXPECT_EQ(id->number, 18446744073709551615u);
  EXPECT_LT(FileName(FileKind::kSegment, 9), FileName(FileKind::kSegment, 10));
  for (const char* other :
       {"LOCK", "journal-7.log", "journal-0000000000000000000x.log",
        "snapshot-00000000000000000001.snap.tmp", "journal-00000000000000000001.snap"}) {
    EXPECT_FALSE(ParseFileName(other).has_value()) << other;
  }
}

}  // namespace
}  // namespace backinstock::store::journal
