#include "server/retention/sweep.h"

#include <vector>

namespace backinstock::retention {
namespace {

using Request = v1::BackInStockNotificationRequest;

// A delete that loses to another write re-reads this often before leaving
// the request to the next run.
constexpr int kAttempts = 3;

enum class Outcome { kDeleted, kSkipped };

absl::StatusOr<Outcome> DeleteIfExpired(store::NotificationRequestStore& store,
                                        const RetentionPolicy& policy, absl::Time now,
                                        const store::ExpiredRequest& candidate, bool& settled) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    absl::StatusOr<store::RecordPtr> current = store.Get(candidate.site, candidate.id);
    if (absl::IsNotFound(current.status())) return Outcome::kSkipped;
    if (!current.ok()) return current.status();
    if (!policy.Expired(**current, now)) return Outcome::kSkipped;
    settled = (*current)->request.status() != Request::RECEIVED;
    absl::Status deleted = store.Delete(candidate.site, candidate.id, (*current)->revision);
    if (deleted.ok()) return Outcome::kDeleted;
    if (absl::IsNotFound(deleted)) return Outcome::kSkipped;
    if (!absl::IsAborted(deleted)) return deleted;
  }
  return Outcome::kSkipped;
}

}  // namespace

absl::StatusOr<SweepResult> SweepOnce(store::NotificationRequestStore& store,
                                      const RetentionPolicy& policy, absl::Time now, size_t batch,
                                      absl::FunctionRef<bool()> keep_going) {
  SweepResult result;
  if (!policy.enabled() || batch == 0) return result;
  absl::StatusOr<std::vector<store::ExpiredRequest>> candidates =
      store.ExpiredRequests(policy.ReceivedBefore(now), policy.SettledBefore(now), batch);
  if (!candidates.ok()) return candidates.status();
  result.batch_full = candidates->size() >= batch;
  for (const store::ExpiredRequest& candidate : *candidates) {
    if (!keep_going()) break;
    bool settled = false;
    absl::StatusOr<Outcome> outcome = DeleteIfExpired(store, policy, now, candidate, settled);
    if (!outcome.ok()) {
      result.error = outcome.status();
      break;
    }
    if (*outcome == Outcome::kSkipped) {
      ++result.skipped;
    } else if (settled) {
      ++result.deleted_settled;
    } else {
      ++result.deleted_open;
    }
  }
  return result;
}

}  // namespace backinstock::retention
