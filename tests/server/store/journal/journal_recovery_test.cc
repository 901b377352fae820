// Recovery from what a power loss or a bad disk leaves: a group commit torn
// in the middle (a later page of its write persisted, an earlier one not)
// against damage to writes that had been acknowledged; and a damaged newest
// snapshot, which must not cost the older files it would have replaced.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/store/journal/journal.h"
#include "server/store/journal/layout.h"
#include "server/store/journal/record.h"
#include "tests/server/store/journal/journal_test_util.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace backinstock::store::journal {
namespace {

using testing::Eventually;
using testing::ReadBytes;
using testing::TempDir;
using testing::WriteBytes;

struct Span {
  size_t start = 0;
  size_t end = 0;
};

// Where the data record for `key` lies in a segment (whatever frames it).
Span RecordOf(const std::string& bytes, absl::string_view key) {
  size_t offset = 0;
  while (offset < bytes.size()) {
    const Decoded decoded = DecodeRecord(absl::string_view(bytes).substr(offset));
    if (decoded.status != DecodeStatus::kOk) break;
    if (decoded.record.type == RecordType::kPut && decoded.record.key == key) {
      return {offset, offset + decoded.size};
    }
    offset += decoded.size;
  }
  ADD_FAILURE() << "no record for " << key;
  return {};
}

void Zero(std::string* bytes, Span span) {
  std::fill(bytes->begin() + span.start, bytes->begin() + span.end, '\0');
}

// Writes `before` alone, then `batch` as one group commit (its writers queue
// while the previous write's sync is held), then `after` alone.
void WriteBatches(const std::string& dir, const std::vector<std::string>& before,
                  const std::vector<std::string>& batch, const std::vector<std::string>& after) {
  auto sync = std::make_shared<HeldSync>();
  State state;
  auto journal = OpenInto(dir, &state, ThroughSync(sync, 1));
  ASSERT_TRUE(journal.ok()) << journal.status();
  for (const std::string& key : before) ASSERT_TRUE((*journal)->Put(key, "v").ok());
  sync->Hold();
  const int entered = sync->entered();
  std::thread holder([&] { EXPECT_TRUE((*journal)->Put("holder", "v").ok()); });
  sync->AwaitEntered(entered + 1);
  std::vector<std::thread> writers;
  for (const std::string& key : batch) {
    writers.emplace_back([&journal, key] { EXPECT_TRUE((*journal)->Put(key, "v").ok()); });
  }
  ASSERT_TRUE(Eventually([&] { return (*journal)->Stats().queued == batch.size(); },
                         absl::Seconds(60), absl::Milliseconds(1)));
  sync->Release();
  holder.join();
  for (std::thread& writer : writers) writer.join();
  ASSERT_EQ((*journal)->Stats().syncs, before.size() + 2) << "the batch shared one sync";
  for (const std::string& key : after) ASSERT_TRUE((*journal)->Put(key, "v").ok());
}

TEST(JournalRecovery, AHoleInTheLastBatchDropsTheBatchAndStarts) {
  TempDir dir("journal");
  WriteBatches(dir.path(), {"a"}, {"b1", "b2", "b3"}, {});
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  std::string bytes = ReadBytes(segment);
  // The batch's writers queued in whatever order the threads ran: where the
  // batch starts is read before a hole stops the walk through its records.
  const size_t batch_start = std::min(
      {RecordOf(bytes, "b1").start, RecordOf(bytes, "b2").start, RecordOf(bytes, "b3").start});
  // A record of the batch never reached the disk; the pages around it did.
  // Nobody was told the batch was written.
  Zero(&bytes, RecordOf(bytes, "b2"));
  WriteBytes(segment, bytes);

  State state;
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"a", "v"}, {"holder", "v"}})) << "the whole batch is dropped";
  const RecoveryInfo& recovery = (*journal)->recovery();
  EXPECT_EQ(recovery.torn_file, segment);
  EXPECT_LE(recovery.torn_offset, batch_start);
  EXPECT_EQ(recovery.torn_offset + recovery.torn_bytes, bytes.size());
  ASSERT_TRUE((*journal)->Put("later", "v").ok());
  journal->reset();

  auto reopened = OpenInto(dir.path(), &state);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->recovery().torn_file.empty());
  EXPECT_EQ(state, (State{{"a", "v"}, {"holder", "v"}, {"later", "v"}}));
}

TEST(JournalRecovery, AHoleInAnAcknowledgedBatchIsCorruption) {
  TempDir dir("journal");
  // "c" was written after the batch's sync returned: the batch had been
  // acknowledged, and a hole in it is damage, not a crash.
  WriteBatches(dir.path(), {"a"}, {"b1", "b2", "b3"}, {"c"});
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  std::string bytes = ReadBytes(segment);
  const Span hole = RecordOf(bytes, "b2");
  Zero(&bytes, hole);
  WriteBytes(segment, bytes);

  State state;
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_FALSE(journal.ok());
  EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(
      absl::StrContains(journal.status().message(), absl::StrCat(segment, ": byte offset ")))
      << journal.status();
  EXPECT_EQ(ReadBytes(segment), bytes) << "nothing is modified";
}

TEST(JournalRecovery, ATornBatchTakesTheUnacknowledgedBatchesAfterItWithIt) {
  TempDir dir("journal");
  const std::string segment = dir / FileName(FileKind::kSegment, 1);
  {
    // Two syncs in flight: "second" is written while the sync of "first"
    // still runs, so neither is acknowledged before both syncs return.
    auto sync = std::make_shared<HeldSync>();
    State state;
    auto journal = OpenInto(dir.path(), &state, ThroughSync(sync, 2));
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->Put("kept", "v").ok());
    sync->Hold();
    const int entered = sync->entered();
    std::thread first([&] { EXPECT_TRUE((*journal)->Put("first", "v").ok()); });
    sync->AwaitEntered(entered + 1);
    std::thread second([&] { EXPECT_TRUE((*journal)->Put("second", "v").ok()); });
    sync->AwaitEntered(entered + 2);
    sync->Release();
    first.join();
    second.join();
  }
  std::string bytes = ReadBytes(segment);
  Zero(&bytes, RecordOf(bytes, "first"));
  WriteBytes(segment, bytes);

  State state;
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"kept", "v"}}));
  EXPECT_EQ((*journal)->recovery().torn_offset + (*journal)->recovery().torn_bytes, bytes.size());
}

// Snapshot 3 is the newest; snapshot 2 and segment 2 are what a compaction
// interrupted before its removals left behind, and hold the same state.
void WriteInterruptedCompaction(const TempDir& dir) {
  State state;
  std::string old_snapshot;
  std::string old_segment;
  auto journal = OpenInto(dir.path(), &state, NoBackgroundCompaction());
  ASSERT_TRUE(journal.ok());
  ASSERT_TRUE((*journal)->Put("a", "1").ok());
  ASSERT_TRUE((*journal)->Rotate().ok());
  ASSERT_TRUE((*journal)->Compact().ok());
  ASSERT_TRUE((*journal)->Put("b", "2").ok());
  ASSERT_TRUE((*journal)->Rotate().ok());
  old_snapshot = ReadBytes(dir / FileName(FileKind::kSnapshot, 2));
  old_segment = ReadBytes(dir / FileName(FileKind::kSegment, 2));
  ASSERT_TRUE((*journal)->Compact().ok());
  ASSERT_TRUE((*journal)->Put("c", "3").ok());
  journal->reset();
  WriteBytes(dir / FileName(FileKind::kSnapshot, 2), old_snapshot);
  WriteBytes(dir / FileName(FileKind::kSegment, 2), old_segment);
}

TEST(JournalRecovery, ADamagedNewestSnapshotLeavesTheOlderFilesInPlace) {
  TempDir dir("journal");
  WriteInterruptedCompaction(dir);
  const std::string newest = dir / FileName(FileKind::kSnapshot, 3);
  std::string bytes = ReadBytes(newest);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x40);
  WriteBytes(newest, bytes);

  State state;
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_FALSE(journal.ok());
  EXPECT_EQ(journal.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(absl::StrContains(journal.status().message(), newest)) << journal.status();
  EXPECT_TRUE(absl::StrContains(journal.status().message(), FileName(FileKind::kSnapshot, 2)))
      << "the error points at the older snapshot still there: " << journal.status();
  EXPECT_TRUE(std::filesystem::exists(dir / FileName(FileKind::kSnapshot, 2)));
  EXPECT_TRUE(std::filesystem::exists(dir / FileName(FileKind::kSegment, 2)));

  // What the operator does on that advice: move the damaged snapshot away.
  std::filesystem::rename(newest, dir / "damaged.snap.bad");
  auto restored = OpenInto(dir.path(), &state);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(state, (State{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(JournalRecovery, ACleanNewestSnapshotStillRemovesTheOlderFiles) {
  TempDir dir("journal");
  WriteInterruptedCompaction(dir);
  State state;
  auto journal = OpenInto(dir.path(), &state);
  ASSERT_TRUE(journal.ok()) << journal.status();
  EXPECT_EQ(state, (State{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_FALSE(std::filesystem::exists(dir / FileName(FileKind::kSnapshot, 2)));
  EXPECT_FALSE(std::filesystem::exists(dir / FileName(FileKind::kSegment, 2)));
}

}  // namespace
}  // namespace backinstock::store::journal
