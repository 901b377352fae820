// The notification request store with a data directory:
// MemoryNotificationRequestStore for reads, indexes and watches, a journal
// for durability. A write returns OK only once its record is on disk, and only
// then do readers and watchers see it.
//
// Every write is checked against memory, journaled, then applied to memory,
// with locks that keep what was checked true until it is applied:
//  - a record's writes (CompareAndSwap, Claim, Release, Delete) hold the
//    record's lock (striped by site and id), so one record's changes reach
//    the journal in the order they are applied;
//  - Create, and a write that reopens a request (closed -> open),
//    also hold the site's lock (striped by site), taken first: they are the
//    only writes that can add an open request or a record, so the duplicate
//    rule and the per-site cap cannot be raced.
// Other writes only remove open requests or records, which never turns a
// passed check into a failure. Writes to different records wait on the disk
// together and share its syncs (group commit).
//
// On disk: key "<site>/<id>" (a site id has no '/'); kPut value = the
// record's revision as 8 bytes little endian, then the request as a
// serialized v1.BackInStockNotificationRequest; kDelete for a deletion. A
// record with a queued email sets the top bit of the revision's last byte and
// follows the revision with the request's length (a varint), the request and
// the serialized store.QueuedEmail, so records written before emails were
// queued read as they always did. A settled record sets the next bit down
// (0x40) and puts its settled time (Unix microseconds, 8 bytes little endian)
// right after the revision.
#ifndef BACKINSTOCK_SERVER_STORE_DURABLE_NOTIFICATION_REQUEST_STORE_H_
#define BACKINSTOCK_SERVER_STORE_DURABLE_NOTIFICATION_REQUEST_STORE_H_

#include <array>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/store/journal/journal.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/notification_request_store.h"

namespace backinstock::store {

struct DurableRequestStoreOptions {
  journal::JournalOptions journal;
};

class DurableNotificationRequestStore final : public NotificationRequestStore {
 public:
  // Opens the journal in `dir` and replays it. Requests left PROCESSING (their
  // email queued or being sent when the server stopped) wait for
  // ResumeDeliveries.
  // Fails (DATA_LOSS naming file and offset) on a damaged snapshot or journal.
  static absl::StatusOr<std::unique_ptr<DurableNotificationRequestStore>> Open(
      const std::string& dir, DurableRequestStoreOptions options = {});

  // Writes: UNAVAILABLE (reason STORAGE_UNAVAILABLE) when the record cannot be
  // made durable; the write then has no visible effect.
  absl::StatusOr<CreateResult> Create(absl::string_view site,
                                      const NotificationRequestRecord& record,
                                      int64_t max_requests) override;
  absl::StatusOr<RecordPtr> Get(absl::string_view site, absl::string_view id) const override;
  absl::Status Delete(absl::string_view site, absl::string_view id,
                      int64_t expected_revision) override;
  absl::StatusOr<RecordList> List(absl::string_view site) const override;
  absl::StatusOr<std::vector<int64_t>> CountOpen(
      absl::string_view site, const std::vector<std::string>& catalog_keys) const override;
  absl::StatusOr<std::vector<std::string>> OpenIds(absl::string_view site,
                                                   absl::string_view catalog_key) const override;
  std::unique_ptr<Subscription> Watch(absl::string_view site,
                                      std::function<void(const RequestEvent&)> on_event) override;
  // Resumes the queued emails of the requests found PROCESSING at Open.
  absl::Status ResumeDeliveries(ResumeHandler resume) override;
  absl::StatusOr<std::vector<ExpiredRequest>> ExpiredRequests(absl::Time received_before,
                                                              absl::Time settled_before,
                                                              size_t limit) const override;
  // Closes the active segment and folds every closed one into a new
  // snapshot, removing the segments and the snapshot it replaces: the
  // deleted records' values are then in no file (see the .cc).
  absl::Status PurgeDeleted() override;

  journal::Journal& journal() { return *journal_; }
  // Records restored at startup, and PROCESSING requests without a queued
  // email that ResumeDeliveries settled as FAILED.
  size_t restored_records() const { return restored_records_; }
  size_t failed_interrupted() const { return failed_interrupted_; }

  // The journal key and value of a record, and back (exposed for tests and
  // the fuzz targets).
  static std::string EncodeKey(absl::string_view site, absl::string_view id);
  static absl::StatusOr<std::pair<std::string, std::string>> DecodeKey(absl::string_view key);
  static std::string EncodeValue(const NotificationRequestRecord& record);
  static absl::StatusOr<NotificationRequestRecord> DecodeValue(absl::string_view value);

 private:
  DurableNotificationRequestStore() = default;

  absl::Status Replay(const journal::RecordView& record);
  absl::Mutex& SiteLock(absl::string_view site);
  absl::Mutex& RecordLock(absl::string_view site, absl::string_view id);
  // Claims are kept by the records themselves (PROCESSING on disk is resumed
  // at the next start): the change is only checked.
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const NotificationRequestRecord& next, ClaimChange change) override;
  absl::Status CompareAndSwapLocked(absl::string_view site, int64_t expected_revision,
                                    const NotificationRequestRecord& next, ClaimChange change);

  // Locks are held across the journal sync, so writes to different sites or
  // records that share a stripe wait on each other's syncs: plenty of stripes
  // (8 bytes each) keep that rare (see DurableSettingsStore).
  static constexpr size_t kSiteLocks = 4096;
  static constexpr size_t kRecordLocks = 4096;

  MemoryNotificationRequestStore memory_;
  std::unique_ptr<journal::Journal> journal_;
  std::array<absl::Mutex, kSiteLocks> site_locks_;
  std::array<absl::Mutex, kRecordLocks> record_locks_;
  // Replay bookkeeping: journal keys of the records whose last replayed
  // state is PROCESSING, until ResumeDeliveries.
  absl::Mutex resume_mu_;
  absl::flat_hash_set<std::string> processing_ ABSL_GUARDED_BY(resume_mu_);
  size_t restored_records_ = 0;
  size_t failed_interrupted_ = 0;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_DURABLE_NOTIFICATION_REQUEST_STORE_H_
