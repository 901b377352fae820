// Notification requests by the time their retention period counts from, so
// that the retention sweep finds the expired ones without scanning every
// record. The memory store keeps one per shard, the etcd cache one for all
// sites, in step with the records they hold (as OpenIndex).
#ifndef BACKINSTOCK_SERVER_STORE_EXPIRY_INDEX_H_
#define BACKINSTOCK_SERVER_STORE_EXPIRY_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/store/notification_request_store.h"

namespace backinstock::store {

// What a request's retention period counts from.
struct RetentionClock {
  enum class Kind { kOpen, kSettled };
  Kind kind = Kind::kOpen;
  absl::Time since;
};

// RECEIVED: its created_date. NOTIFICATION_SENT and FAILED: its settled time;
// a record settled before that time was kept counts from the latest of its
// email's queued time, its created_date and when this process first indexed
// a record (its real settle time may be recent): never swept early.
// PROCESSING (delivery in flight) and UNSPECIFIED: none, never swept.
std::optional<RetentionClock> RetentionClockOf(const NotificationRequestRecord& record);

// Not synchronized: its owner guards it with the lock of the records it
// mirrors.
class ExpiryIndex {
 public:
  // Indexes `record` of `site` under its retention clock (if it has one).
  void Add(absl::string_view site, const NotificationRequestRecord& record);
  // Takes `record` out, as it was indexed.
  void Remove(absl::string_view site, const NotificationRequestRecord& record);

  // Appends up to `limit` requests of each kind whose clock is before the
  // kind's cutoff, oldest first.
  void Collect(absl::Time received_before, absl::Time settled_before, size_t limit,
               std::vector<ExpiredRequest>& out) const;

  size_t size() const { return open_.size() + settled_.size(); }

 private:
  // (clock in Unix microseconds, site, id): ordered by time.
  using Entries = absl::btree_set<std::tuple<int64_t, std::string, std::string>>;
  Entries& EntriesOf(RetentionClock::Kind kind) {
    return kind == RetentionClock::Kind::kOpen ? open_ : settled_;
  }
  static void CollectFrom(const Entries& entries, absl::Time before, size_t limit,
                          std::vector<ExpiredRequest>& out);

  Entries open_;
  Entries settled_;
};

// Keeps the `limit` most overdue of `candidates` (gathered from several
// indexes), most overdue first.
void KeepMostOverdue(std::vector<ExpiredRequest>& candidates, size_t limit);

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_EXPIRY_INDEX_H_
