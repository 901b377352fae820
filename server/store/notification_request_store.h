// Where each site's notification requests live. The interface is what a
// replicated backend (a journal on disk wrapping memory, an etcd cluster shared
// by replicas) can offer as well as memory:
//  - one record per (site, id), with a per-record revision; every write is a
//    compare-and-swap on that revision;
//  - Create enforces, in the same atomic step as the insert, the open-duplicate
//    rule (one RECEIVED or PROCESSING request per catalog reference and
//    lower-cased email: think "index key created in the same transaction") and
//    the per-site cap;
//  - counts of open requests per catalog reference, maintained on every write
//    (no scans), and the ids behind them;
//  - a per-site change feed of created / updated / deleted events.
#ifndef BACKINSTOCK_SERVER_STORE_NOTIFICATION_REQUEST_STORE_H_
#define BACKINSTOCK_SERVER_STORE_NOTIFICATION_REQUEST_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "server/store/queued_email.pb.h"
#include "server/store/revision_precondition.h"
#include "server/store/watch_hub.h"

namespace backinstock::store {

// One stored request. The store reads `request.id`, `.status`, `.email` and
// `.catalog_reference` to maintain its indexes; the domain has normalised them
// (lower-case ids and app id).
struct NotificationRequestRecord {
  // 1 when created; every committed update adds exactly one.
  int64_t revision = 0;
  v1::BackInStockNotificationRequest request;
  // The email a report queued for this request (set when the report claims
  // it, updated by each delivery attempt); null before any report. Shared:
  // the records of one report point at copies of one item.
  std::shared_ptr<const QueuedEmail> delivery;
  // When the request last moved into NOTIFICATION_SENT or FAILED (retention
  // counts from here; see SetStatus); InfinitePast while it is open, and in
  // records settled before this time was kept.
  absl::Time settled_time = absl::InfinitePast();
};

// Records are immutable once stored: readers share them without copying.
using RecordPtr = std::shared_ptr<const NotificationRequestRecord>;
// Every record of a site at one moment; never null. Shared too: the stores
// keep one per site until its next write (shared_record_list.h).
using RecordList = std::shared_ptr<const std::vector<RecordPtr>>;
// A site without requests: one list shared by every such answer.
RecordList EmptyRecordList();

// Whether a request counts as open: RECEIVED or PROCESSING (the duplicate rule
// and the counts of notification_requests.proto).
inline bool IsOpen(v1::BackInStockNotificationRequest::Status status) {
  return status == v1::BackInStockNotificationRequest::RECEIVED ||
         status == v1::BackInStockNotificationRequest::PROCESSING;
}

// Sets the request's status, and the record's settled time with it: `now`
// when the status settles the request, none when it opens it again. Every
// writer that changes a status goes through here, so that the retention sweep
// can count from the settling.
inline void SetStatus(NotificationRequestRecord& record,
                      v1::BackInStockNotificationRequest::Status status, absl::Time now) {
  record.request.set_status(status);
  record.settled_time = IsOpen(status) ? absl::InfinitePast() : now;
}

// What a write does to the request's claim. A PROCESSING request is claimed:
// one process owns the delivery of its queued email, and a replicated
// backend keeps that ownership alive with the process (etcd: a claim key on
// the replica's lease, see etcd_notification_request_store.h). The writes are
// named after the change (NotificationRequestStore::Claim, Release,
// CompareAndSwap), so a backend never has to infer a claim from statuses.
enum class ClaimChange {
  kNone,     // neither enters nor leaves PROCESSING (marking, delivery bookkeeping)
  kClaim,    // RECEIVED -> PROCESSING: the request is now this process's to deliver
  kRelease,  // PROCESSING -> any other status: the claim ends
};

// OK when a request whose stored status is `before` going to `after` is the
// change named `change`; FAILED_PRECONDITION (reason MISNAMED_STORE_WRITE)
// otherwise: a programming error of the caller, never written. Backends call
// it on the stored record, in the atomic step that writes.
absl::Status CheckClaimChange(ClaimChange change, v1::BackInStockNotificationRequest::Status before,
                              v1::BackInStockNotificationRequest::Status after);

// A request the retention sweep may delete (see
// NotificationRequestStore::ExpiredRequests).
struct ExpiredRequest {
  std::string site;
  std::string id;
  // How long ago its retention period ended.
  absl::Duration overdue;
};

// One committed change, as the change feed delivers it.
struct RequestEvent {
  enum class Type { kCreated, kUpdated, kDeleted };
  Type type = Type::kCreated;
  std::string id;
  // The record after the change; for kDeleted, the record that was deleted.
  RecordPtr record;
  absl::Time time;  // when the change was committed
};

// What Create did.
struct CreateResult {
  enum class Outcome {
    kCreated,
    kDuplicate,  // an open request with the same catalog reference and email exists
    kSiteFull,   // the site holds `max_requests` requests already
  };
  Outcome outcome = Outcome::kCreated;
  std::string existing_id;  // kDuplicate: the open request that is in the way
};

class NotificationRequestStore {
 public:
  virtual ~NotificationRequestStore() = default;

  // Inserts `record` (revision 1, a fresh id) unless an open request with the
  // same catalog reference and lower-cased email exists, or the site already
  // holds `max_requests` requests. All checks and the insert are one atomic
  // step. An error status means the backend failed, not a rule.
  virtual absl::StatusOr<CreateResult> Create(absl::string_view site,
                                              const NotificationRequestRecord& record,
                                              int64_t max_requests) = 0;

  // The record, or NOT_FOUND.
  virtual absl::StatusOr<RecordPtr> Get(absl::string_view site, absl::string_view id) const = 0;

  // The writes of an existing record. Each replaces the record
  // `next.request.id()` if, and only if, its stored revision is still
  // `expected_revision`; `next.revision` must be `expected_revision + 1`
  // (INVALID_ARGUMENT otherwise, checked here once for every backend). Id
  // and catalog reference and email never change. NOT_FOUND when the record
  // is gone; ABORTED when another write got there first (re-read and try
  // again). Each is named after what it does to the request's claim, and
  // refuses a write that does something else: INVALID_ARGUMENT when `next`
  // itself cannot be that change, FAILED_PRECONDITION when the stored record
  // is not in the status the change starts from (reason MISNAMED_STORE_WRITE
  // for both; nothing is written).
  //
  // A change that neither enters nor leaves PROCESSING.
  absl::Status CompareAndSwap(absl::string_view site, int64_t expected_revision,
                              const NotificationRequestRecord& next) {
    return Write(ClaimChange::kNone, site, expected_revision, next);
  }
  // RECEIVED -> PROCESSING, with the email a report queued: this process now
  // owns the request's delivery.
  absl::Status Claim(absl::string_view site, int64_t expected_revision,
                     const NotificationRequestRecord& next) {
    return Write(ClaimChange::kClaim, site, expected_revision, next);
  }
  // PROCESSING -> any other status (settled by its delivery, marked sent,
  // failed for want of a queued email): the claim ends.
  absl::Status Release(absl::string_view site, int64_t expected_revision,
                       const NotificationRequestRecord& next) {
    return Write(ClaimChange::kRelease, site, expected_revision, next);
  }
  // The write named by `change`, for code that passes on a change its caller
  // named (the domain's UpdateRecord, wrappers of a store).
  absl::Status Write(ClaimChange change, absl::string_view site, int64_t expected_revision,
                     const NotificationRequestRecord& next);

  // Deletes the record if its stored revision is still `expected_revision`.
  // NOT_FOUND / ABORTED as CompareAndSwap. Deleting a PROCESSING request
  // ends its claim too.
  virtual absl::Status Delete(absl::string_view site, absl::string_view id,
                              int64_t expected_revision) = 0;

  // A consistent snapshot of every request of the site, in no particular
  // order; readers of a site between two of its writes share one.
  virtual absl::StatusOr<RecordList> List(absl::string_view site) const = 0;

  // The number of open requests of each catalog key (see catalog_key.h), in
  // the order given, read at one instant.
  virtual absl::StatusOr<std::vector<int64_t>> CountOpen(
      absl::string_view site, const std::vector<std::string>& catalog_keys) const = 0;

  // The ids of the open requests of one catalog key, in no particular order.
  virtual absl::StatusOr<std::vector<std::string>> OpenIds(absl::string_view site,
                                                           absl::string_view catalog_key) const = 0;

  // Hands `resume` every queued email this process now owns and did not queue
  // itself: at once, those a restart found (PROCESSING records with a queued
  // email); later, with a shared backend, those of a replica that died. Also
  // settles FAILED (auto_notified) any PROCESSING request whose email cannot
  // be resumed (it has none: a record written before emails were queued).
  // Called once, when the delivery queue is ready; `resume` must return
  // quickly and may be called from the store's own threads.
  using ResumeHandler = std::function<void(const std::string& site, RecordPtr record)>;
  virtual absl::Status ResumeDeliveries(ResumeHandler resume) = 0;

  // Calls `on_event` with every change committed to the site's requests after
  // the call, in commit order, until the subscription is destroyed.
  // `on_event` runs under the store's locks: it must return quickly.
  virtual std::unique_ptr<Subscription> Watch(
      absl::string_view site, std::function<void(const RequestEvent&)> on_event) = 0;

  // --- Retention (server/retention/) ---
  // Up to `limit` requests, across every site, whose retention period ended:
  // RECEIVED ones created before `received_before`, NOTIFICATION_SENT and
  // FAILED ones settled before `settled_before` (see RetentionClockOf;
  // absl::InfinitePast() selects none of that kind), most overdue first.
  // PROCESSING requests are never returned. Served from an index kept in step
  // with the records, so a call costs its answer, not the store's size. The
  // answer may be stale by the time it is used: the caller re-reads each
  // request and deletes it with the revision it read.
  virtual absl::StatusOr<std::vector<ExpiredRequest>> ExpiredRequests(absl::Time received_before,
                                                                      absl::Time settled_before,
                                                                      size_t limit) const = 0;

  // Personal data. Removes, before returning, what the backend still keeps
  // of records deleted before the call (their earlier values in journal
  // segments and snapshots), so a customer's erased email is no longer on
  // disk once it returns. Writes may go on meanwhile; none is lost. A
  // backend whose history is removed on a schedule of its own (etcd's
  // compaction) returns at once.
  virtual absl::Status PurgeDeleted() = 0;

 private:
  // The write, once `next.revision == expected_revision + 1` is known and
  // `next`'s status can be the end of `change`. The backend checks the
  // stored record with CheckClaimChange in the same atomic step as the
  // write, after the revision (a record that moved on is ABORTED, not
  // misnamed).
  virtual absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                        const NotificationRequestRecord& next,
                                        ClaimChange change) = 0;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_NOTIFICATION_REQUEST_STORE_H_
