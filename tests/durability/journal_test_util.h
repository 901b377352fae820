// Helpers shared by the journal tests: open a journal into a plain map.
#ifndef BACKINSTOCK_TESTS_DURABILITY_JOURNAL_TEST_UTIL_H_
#define BACKINSTOCK_TESTS_DURABILITY_JOURNAL_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
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

}  // namespace backinstock::store::journal

#endif  // BACKINSTOCK_TESTS_DURABILITY_JOURNAL_TEST_UTIL_H_
