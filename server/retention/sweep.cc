#include "server/retention/sweep.h"

#include <vector>

#include "server/domain/notification_requests/record_update.h"

namespace backinstock::retention {
namespace {

using Request = v1::BackInStockNotificationRequest;

enum class Outcome { kDeleted, kSkipped };

// A request that keeps changing is busy, not forgotten: the sweep moves on
// after a few lost races (each may wait on etcd) and the next run retries it.
constexpr int kDeleteAttempts = 3;

absl::StatusOr<Outcome> DeleteIfExpired(store::NotificationRequestStore& store,
                                        const RetentionPolicy& policy, absl::Time now,
                                        const store::ExpiredRequest& candidate, bool& settled) {
  absl::StatusOr<domain::RecordDeletion> deletion = domain::DeleteRecord(
      store, candidate.site, candidate.id,
      [&](const store::NotificationRequestRecord& current) { return policy.Expired(current, now); },
      kDeleteAttempts);
  // Gone meanwhile, or kept changing under the sweep: left for the next run.
  if (absl::IsNotFound(deletion.status()) || absl::IsAborted(deletion.status())) {
    return Outcome::kSkipped;
  }
  if (!deletion.ok()) return deletion.status();
  if (!deletion->deleted) return Outcome::kSkipped;
  settled = deletion->record->request.status() != Request::RECEIVED;
  return Outcome::kDeleted;
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
