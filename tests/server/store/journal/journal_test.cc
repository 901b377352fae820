// The journal: replay, torn tails, corruption, snapshots, background
// compaction (group commit and sync failures: journal_sync_test.cc). Each
// test works in a directory of its own.
#include "server/store/journal/journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/store/journal/layout.h"
#include "tests/server/store/journal/journal_test_util.h"
#include "tests/support/temp_dir.h"

namespace backinstock::store::journal {
namespace {

using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;
// Offsets at which each record of a file starts, and the file's end.
std::vector<size_t> RecordOffsets(const std::string& bytes) {
  std::vector<size_t> offsets;
  size_t offset = 0;
  while (offset < bytes.size()) {
    offsets.push_back(offset);
    Decoded decoded = DecodeRecord(absl::string_view(bytes).substr(offset));
    if (decoded.status != DecodeStatus::kOk) break;
    offset += decoded.size;
  }
  offsets.push_back(offset);
  return offsets;
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Journal, ReplaysPutsAndDeletesInOrder) {
  TempDir dir("journal");
  State state;
  {
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_TRUE(journal.ok()) << journal.status();
    EXPECT_TRUE(state.empty());
    ASSERT_TRUE((*journal)->Put("a", "1").ok());
    ASSERT_TRUE((*journal)->Put("b", "2").ok());
    ASSERT_TRUE((*journal)->Delete("a").ok());
    ASSERT_TRUE((*journal)->Put("b", "3").ok());
    ASSERT_TRUE((*journal)->Put("c", std::string("\0\1", 2)).ok());
    EXPECT_EQ((*journal)->Stats().appends, 5u);
  }
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"b", "3"}, {"c", std::string("\0\1", 2)}}));
  EXPECT_EQ((*journal)->recovery().journal_records, 5u);
  EXPECT_TRUE((*journal)->recovery().torn_file.empty());
}

TEST(Journal, ASecondProcessCannotOpenTheSameDirectory) {
  TempDir dir("journal");
  State state;
  auto first = OpenInto(dir.path(), &state);
  ASSERT_TRUE(first.ok()) << first.status();
  State other;
  auto second = OpenInto(dir.path(), &other);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(second.status().message(), "in use")) << second.status();
}

TEST(Journal, DropsATornFinalRecordAtEveryCutAndKeepsGoing) {
  TempDir dir("journal");
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  State state;
  {
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*journal)->Put(absl::StrCat("k", i), "v").ok());
  }
  const std::string whole = ReadBytes(segment);
  // header, then a batch frame and its record for each of k0..k3, end
  const std::vector<size_t> offsets = RecordOffsets(whole);
  ASSERT_EQ(offsets.size(), 10u);
  const size_t last_start = offsets[7];  // the last batch
  for (size_t cut = last_start + 1; cut < whole.size(); ++cut) {
    WriteBytes(segment, whole.substr(0, cut));
    {
      auto journal = OpenInto(dir.path(), &state);
      ASSERT_TRUE(journal.ok()) << "cut at " << cut << ": " << journal.status();
      EXPECT_EQ(state.size(), 3u) << "cut at " << cut;
      EXPECT_EQ((*journal)->recovery().torn_file, segment);
      EXPECT_EQ((*journal)->recovery().torn_offset, last_start);
      EXPECT_EQ((*journal)->recovery().torn_bytes, cut - last_start);
      // New writes go after the good records, not after the torn bytes.
      ASSERT_TRUE((*journal)->Put("after", "x").ok());
    }
    auto reopened = OpenInto(dir.path(), &state);
    ASSERT_TRUE(reopened.ok()) << "cut at " << cut << ": " << reopened.status();
    EXPECT_TRUE((*reopened)->recovery().torn_file.empty());
    EXPECT_EQ(state.size(), 4u);
    EXPECT_EQ(state.count("after"), 1u);
  }
}

TEST(Journal, DropsAZeroFilledTail) {
  TempDir dir("journal");
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  State state;
  {
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("k", "v").ok());
  }
  const std::string good = ReadBytes(segment);
  WriteBytes(segment, good + std::string(4096, '\0'));
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"k", "v"}}));
  EXPECT_EQ((*journal)->recovery().torn_offset, good.size());
}

TEST(Journal, SurvivesATornFileHeader) {
  TempDir dir("journal");
  State state;
  { ASSERT_TRUE(OpenInto(dir.path(), &state).ok()); }
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  WriteBytes(segment, ReadBytes(segment).substr(0, 5));
  {
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_TRUE(journal.ok()) << journal.status();
    ASSERT_TRUE((*journal)->Put("k", "v").ok());
  }
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"k", "v"}}));
}

TEST(Journal, ACorruptRecordInTheMiddleStopsStartupNamingFileAndOffset) {
  TempDir dir("journal");
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  State state;
  {
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*journal)->Put(absl::StrCat("k", i), "value").ok());
  }
  const std::string whole = ReadBytes(segment);
  const std::vector<size_t> offsets = RecordOffsets(whole);
  // Damage the body of the third data record, then the header of the
  // second: each was acknowledged (later batches say so), and the error
  // names the batch holding it. Records are at odd indexes, each after its
  // batch's frame.
  for (size_t at : {offsets[6] + 14, offsets[4] + 1}) {
    std::string damaged = whole;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
    WriteBytes(segment, damaged);
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_FALSE(journal.ok());
    EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
    const size_t record_start = at == offsets[6] + 14 ? offsets[5] : offsets[3];
    EXPECT_TRUE(absl::StrContains(journal.status().message(),
                                  absl::StrCat(segment, ": byte offset ", record_start)))
        << journal.status();
  }
}

TEST(Journal, DamageAtTheEndOfAClosedSegmentIsCorruptionNotATornTail) {
  TempDir dir("journal");
  State state;
  {
    auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction());
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("a", "1").ok());
    ASSERT_TRUE((*journal)->Rotate().ok());
    ASSERT_TRUE((*journal)->Put("b", "2").ok());
  }
  const std::string closed = dir / FileName(FileKind::kSegment, 1);
  const std::string bytes = ReadBytes(closed);
  WriteBytes(closed, bytes.substr(0, bytes.size() - 1));
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_FALSE(journal.ok());
  EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(journal.status().message(), closed)) << journal.status();
}

TEST(Journal, AMissingSegmentStopsStartup) {
  TempDir dir("journal");
  State state;
  {
    auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction());
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE((*journal)->Put("k", absl::StrCat(i)).ok());
      ASSERT_TRUE((*journal)->Rotate().ok());
    }
  }
  std::filesystem::remove(dir / FileName(FileKind::kSegment, 2));
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_FALSE(journal.ok());
  EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(journal.status().message(), FileName(FileKind::kSegment, 2)))
      << journal.status();
}

TEST(Journal, SnapshotPlusJournalRestoresTheStateAndReplacesOldSegments) {
  TempDir dir("journal");
  State state;
  State expected;
  {
    auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction(1024));
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 300; ++i) {
      const std::string key = absl::StrCat("site-", i % 17);
      if (i % 11 == 10) {
        ASSERT_TRUE((*journal)->Delete(key).ok());
        expected.erase(key);
      } else {
        ASSERT_TRUE((*journal)->Put(key, absl::StrCat("value-", i)).ok());
        expected[key] = absl::StrCat("value-", i);
      }
      if (i == 150) {
        ASSERT_TRUE((*journal)->Compact().ok());
      }
    }
    ASSERT_GT((*journal)->Stats().active_segment, 3u) << "1 KiB segments rotate";
    ASSERT_TRUE((*journal)->Rotate().ok());
    ASSERT_TRUE((*journal)->Compact().ok());
    const JournalStats stats = (*journal)->Stats();
    ASSERT_TRUE(stats.snapshot.has_value());
    EXPECT_EQ(*stats.snapshot, stats.active_segment);
    EXPECT_EQ(stats.snapshots_written, 2u);
    // Writes after the snapshot land in the journal.
    ASSERT_TRUE((*journal)->Put("late", "1").ok());
    expected["late"] = "1";
  }
  const uint64_t active = [&] {
    uint64_t n = 0;
    for (const std::string& name : FilesIn(dir.path())) {
      if (auto id = ParseFileName(name)) n = std::max(n, id->number);
    }
    return n;
  }();
  EXPECT_EQ(FilesIn(dir.path()),
            (std::vector<std::string>{"LOCK", FileName(FileKind::kSegment, active),
                                      FileName(FileKind::kSnapshot, active)}));
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, expected);
  EXPECT_EQ((*journal)->recovery().snapshot, active);
  EXPECT_EQ((*journal)->recovery().segments, 1u);
  EXPECT_EQ((*journal)->recovery().journal_records, 1u);
}

TEST(Journal, LeftoversOfAnInterruptedCompactionAreCleanedUp) {
  TempDir dir("journal");
  State state;
  State expected;
  std::string old_segment;
  {
    auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction());
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("a", "1").ok());
    ASSERT_TRUE((*journal)->Rotate().ok());
    old_segment = ReadBytes(dir / FileName(FileKind::kSegment, 1));
    ASSERT_TRUE((*journal)->Compact().ok());
    ASSERT_TRUE((*journal)->Put("b", "2").ok());
  }
  // As if the crash came after the snapshot's rename but before the removals,
  // while a later snapshot was half written.
  WriteBytes(dir / FileName(FileKind::kSegment, 1), old_segment);
  WriteBytes(dir / (FileName(FileKind::kSnapshot, 3) + ".tmp"), "half a snapshot");
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(FilesIn(dir.path()), (std::vector<std::string>{"LOCK", FileName(FileKind::kSegment, 2),
                                                           FileName(FileKind::kSnapshot, 2)}));
}

TEST(Journal, ADamagedSnapshotStopsStartup) {
  TempDir dir("journal");
  State state;
  {
    auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction());
    ASSERT_TRUE(journal.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*journal)->Put(absl::StrCat("k", i), "v").ok());
    ASSERT_TRUE((*journal)->Rotate().ok());
    ASSERT_TRUE((*journal)->Compact().ok());
  }
  const std::string snapshot = dir / FileName(FileKind::kSnapshot, 2);
  const std::string whole = ReadBytes(snapshot);
  for (size_t length :
       {whole.size() - 1, whole.size() - 25}) {  // cut inside / before the end record
    WriteBytes(snapshot, whole.substr(0, length));
    auto journal = OpenInto(dir.path(), &state);
    ASSERT_FALSE(journal.ok());
    EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_TRUE(absl::StrContains(journal.status().message(), snapshot)) << journal.status();
  }
  std::string flipped = whole;
  flipped[whole.size() / 2] = static_cast<char>(flipped[whole.size() / 2] ^ 0x40);
  WriteBytes(snapshot, flipped);
  EXPECT_EQ(OpenInto(dir.path(), &state).status().code(), absl::StatusCode::kDataLoss);
}

TEST(Journal, AFileUnderAnotherNameIsRefused) {
  TempDir dir("journal");
  State state;
  {
    auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction());
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("a", "1").ok());
    ASSERT_TRUE((*journal)->Rotate().ok());
    ASSERT_TRUE((*journal)->Put("b", "2").ok());
  }
  // Segment 1 copied over segment 2: its header names number 1.
  WriteBytes(dir / FileName(FileKind::kSegment, 2),
             ReadBytes(dir / FileName(FileKind::kSegment, 1)));
  auto journal = OpenInto(dir.path(), &state);
  EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
}

// A sync that can be held, to line writers up behind it.
TEST(Journal, BackgroundCompactionKeepsEveryWrite) {
  TempDir dir("journal");
  State state;
  State expected;
  JournalOptions options;
  options.segment_bytes = 1024;
  {
    auto journal = OpenInto(dir.path(), &state, options);
    ASSERT_TRUE(journal.ok());
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < 500; ++i) {
          ASSERT_TRUE((*journal)->Put(absl::StrCat("t", t, "-", i % 50), absl::StrCat(i)).ok());
        }
      });
    }
    for (auto& writer : writers) writer.join();
  }
  for (int t = 0; t < 4; ++t) {
    for (int k = 0; k < 50; ++k) expected[absl::StrCat("t", t, "-", k)] = absl::StrCat(450 + k);
  }
  auto journal = OpenInto(dir.path(), &state, options);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, expected);
}

}  // namespace
}  // namespace backinstock::store::journal
