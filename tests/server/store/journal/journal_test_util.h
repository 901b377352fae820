// Helpers shared by the journal tests: open a journal into a plain map.
#ifndef BACKINSTOCK_TESTS_SERVER_STORE_JOURNAL_JOURNAL_TEST_UTIL_H_
#define BACKINSTOCK_TESTS_SERVER_STORE_JOURNAL_JOURNAL_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/store/journal/files.h"
#include "server/store/journal/journal.h"

namespace backinstock::store::journal {

using State = std::map<std::string, std::string>;

// Opens `dir` and returns the replayed state (or the error).
inline absl::StatusOr<std::unique_ptr<Journal>> OpenInto(const std::string& dir, State* state,
                                                         JournalOptions options = {}) {
  state->clear();
  return Journal::Open(dir, std::move(options), [state](const RecordView& record) {
    if (record.type == RecordType::kPut) {
      (*state)[std::string(record.key)] = std::string(record.value);
    } else {
      state->erase(std::string(record.key));
    }
    return absl::OkStatus();
  });
}

inline JournalOptions NoBackgroundCompaction(int64_t segment_bytes = 16 << 20) {
  JournalOptions options;
  options.segment_bytes = segment_bytes;
  options.background_compaction = false;
  return options;
}

// Options whose syncs go through `sync`, with up to `syncs` in flight.
template <typename Sync>
JournalOptions ThroughSync(std::shared_ptr<Sync> sync, int syncs) {
  JournalOptions options = NoBackgroundCompaction();
  options.syncs = syncs;
  options.sync_data = [sync](const File& file, const std::string& path) {
    return (*sync)(file, path);
  };
  return options;
}

// A sync that can be held, to line writers up behind it.
class HeldSync {
 public:
  absl::Status operator()(const File& file, const std::string& path) {
    absl::MutexLock lock(&mu_);
    ++entered_;
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !held_; };
    mu_.Await(absl::Condition(&released));
    return SyncData(file, path);
  }
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  void AwaitEntered(int count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return entered_ >= count; };
    mu_.Await(absl::Condition(&reached));
  }
  int entered() {
    absl::MutexLock lock(&mu_);
    return entered_;
  }

 private:
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
  int entered_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_TESTS_SERVER_STORE_JOURNAL_JOURNAL_TEST_UTIL_H_
