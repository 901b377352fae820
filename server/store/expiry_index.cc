#include "server/store/expiry_index.h"

#include <algorithm>

namespace backinstock::store {
namespace {

using Request = v1::BackInStockNotificationRequest;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// When this process first indexed a record (about when it loaded the
// store). Fixed once, so Add and Remove compute the same clock.
absl::Time FirstIndexed() {
  static const absl::Time first = absl::Now();
  return first;
}

}  // namespace

std::optional<RetentionClock> RetentionClockOf(const NotificationRequestRecord& record) {
  const Request& request = record.request;
  switch (request.status()) {
    case Request::RECEIVED:
      return RetentionClock{RetentionClock::Kind::kOpen, FromProto(request.created_date())};
    case Request::NOTIFICATION_SENT:
    case Request::FAILED: {
      if (record.settled_time != absl::InfinitePast()) {
        return RetentionClock{RetentionClock::Kind::kSettled, record.settled_time};
      }
      // Settled before settle times were recorded: when is unknown (a
      // request marked sent by hand carries no trace of it), so its period
      // counts from when this process loaded it at the earliest: kept too
      // long once rather than deleted early.
      absl::Time since = std::max(FromProto(request.created_date()), FirstIndexed());
      if (record.delivery != nullptr && record.delivery->state().has_queued_time()) {
        since = std::max(since, FromProto(record.delivery->state().queued_time()));
      }
      return RetentionClock{RetentionClock::Kind::kSettled, since};
    }
    default:
      return std::nullopt;
  }
}

void ExpiryIndex::Add(absl::string_view site, const NotificationRequestRecord& record) {
  std::optional<RetentionClock> clock = RetentionClockOf(record);
  if (!clock) return;
  EntriesOf(clock->kind)
      .emplace(absl::ToUnixMicros(clock->since), std::string(site), record.request.id());
}

void ExpiryIndex::Remove(absl::string_view site, const NotificationRequestRecord& record) {
  std::optional<RetentionClock> clock = RetentionClockOf(record);
  if (!clock) return;
  EntriesOf(clock->kind)
      .erase(std::make_tuple(absl::ToUnixMicros(clock->since), std::string(site),
                             record.request.id()));
}

void ExpiryIndex::CollectFrom(const Entries& entries, absl::Time before, size_t limit,
                              std::vector<ExpiredRequest>& out) {
  if (before == absl::InfinitePast()) return;
  const int64_t cutoff = absl::ToUnixMicros(before);
  size_t taken = 0;
  for (auto it = entries.begin(); it != entries.end() && taken < limit; ++it, ++taken) {
    const auto& [since, site, id] = *it;
    if (since >= cutoff) break;
    out.push_back(ExpiredRequest{site, id, absl::Microseconds(cutoff - since)});
  }
}

void ExpiryIndex::Collect(absl::Time received_before, absl::Time settled_before, size_t limit,
                          std::vector<ExpiredRequest>& out) const {
  CollectFrom(open_, received_before, limit, out);
  CollectFrom(settled_, settled_before, limit, out);
}

void KeepMostOverdue(std::vector<ExpiredRequest>& candidates, size_t limit) {
  auto more_overdue = [](const ExpiredRequest& a, const ExpiredRequest& b) {
    return std::tie(b.overdue, a.site, a.id) < std::tie(a.overdue, b.site, b.id);
  };
  if (candidates.size() > limit) {
    std::nth_element(candidates.begin(), candidates.begin() + static_cast<ptrdiff_t>(limit),
                     candidates.end(), more_overdue);
    candidates.resize(limit);
  }
  std::sort(candidates.begin(), candidates.end(), more_overdue);
}

}  // namespace backinstock::store
