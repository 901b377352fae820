// The loop every domain write runs against a store's compare-and-swap: read
// the record, decide, write it guarded by the revision read; when another
// writer got there first (the store answers ABORTED), read and decide again.
// Concurrent writes to one record therefore serialize without a lock, and
// each decision is made on the state it replaces.
#ifndef BACKINSTOCK_SERVER_DOMAIN_WRITE_RETRY_H_
#define BACKINSTOCK_SERVER_DOMAIN_WRITE_RETRY_H_

#include <optional>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backinstock::domain {

// Attempts before a write gives up: each lost attempt means another writer
// changed the same record in between, so 64 is far beyond real contention.
inline constexpr int kMaxWriteAttempts = 64;

// What one attempt came to: its answer, or std::nullopt when its write lost
// the race and the record must be read again.
template <typename T>
using WriteAttempt = std::optional<absl::StatusOr<T>>;

// The attempt's answer to a store write that returned `written`: lost the
// race (ABORTED), its error, or `done` when it was written.
template <typename T>
WriteAttempt<T> AnswerTo(const absl::Status& written, T done) {
  if (absl::IsAborted(written)) return std::nullopt;
  if (!written.ok()) return written;
  return done;
}

// ABORTED, reason CONCURRENT_MODIFICATION: "<subject> kept changing under
// this call; try again", with `key`=`value` in the ErrorInfo when a key is
// given.
absl::Status KeptChanging(absl::string_view subject, absl::string_view key = {},
                          absl::string_view value = {});

// Runs `attempt` until it answers, at most `max_attempts` times; then
// `kept_changing()`.
template <typename T>
absl::StatusOr<T> RetryLostRaces(absl::FunctionRef<WriteAttempt<T>()> attempt,
                                 absl::FunctionRef<absl::Status()> kept_changing,
                                 int max_attempts = kMaxWriteAttempts) {
  for (int i = 0; i < max_attempts; ++i) {
    WriteAttempt<T> answer = attempt();
    if (answer.has_value()) return *std::move(answer);
  }
  return kept_changing();
}

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_WRITE_RETRY_H_
