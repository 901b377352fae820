// The in-memory notification request store: sharded by site, with the
// open-request indexes (duplicate rule, counts per catalog reference) kept in
// step with the records under the same lock. Safe for concurrent use.
#ifndef BACKINSTOCK_SERVER_STORE_MEMORY_NOTIFICATION_REQUEST_STORE_H_
#define BACKINSTOCK_SERVER_STORE_MEMORY_NOTIFICATION_REQUEST_STORE_H_

#include <array>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/store/catalog_key.h"
#include "server/store/expiry_index.h"
#include "server/store/notification_request_store.h"
#include "server/store/open_index.h"
#include "server/store/shared_record_list.h"

namespace backinstock::store {

class MemoryNotificationRequestStore final : public NotificationRequestStore {
 public:
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
  // A memory store starts empty: nothing to resume.
  absl::Status ResumeDeliveries(ResumeHandler) override { return absl::OkStatus(); }
  // Nothing of a deleted record outlives its removal from the maps.
  absl::Status PurgeDeleted() override { return absl::OkStatus(); }

  // For a durable store, which journals a write before applying it here:
  // what Create / a write named `change` / Delete would answer now, changing
  // nothing (the write's `next` already passed the interface's checks).
  // Its caller holds its own locks so that nothing it has checked can change
  // before it applies the write.
  absl::StatusOr<CreateResult> CheckCreate(absl::string_view site,
                                           const NotificationRequestRecord& record,
                                           int64_t max_requests) const;
  absl::Status CheckCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                   const NotificationRequestRecord& next, ClaimChange change) const;
  absl::Status CheckDelete(absl::string_view site, absl::string_view id,
                           int64_t expected_revision) const;

  // For replay before anyone reads or watches: sets a record as it is
  // (inserted or replaced, indexes updated), or removes one, publishing
  // nothing. DATA_LOSS when the history does not add up (a revision that
  // does not go forward, a second open request for the same key, a removal
  // of a record that is not there).
  absl::Status Restore(absl::string_view site, const NotificationRequestRecord& record);
  absl::Status RestoreDeletion(absl::string_view site, absl::string_view id);

  absl::StatusOr<std::vector<ExpiredRequest>> ExpiredRequests(absl::Time received_before,
                                                              absl::Time settled_before,
                                                              size_t limit) const override;

 private:
  // Memory keeps no claims: the change is only checked.
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const NotificationRequestRecord& next, ClaimChange change) override;

  struct Site {
    absl::flat_hash_map<std::string, RecordPtr> records;  // by id
    // OpenRequestKey (catalog key + lower-cased email) -> id of the open request.
    absl::flat_hash_map<std::string, std::string> open_by_key;
    OpenIndex open_by_catalog;
    // `records` as one list for List; forgotten on every change to them.
    SharedRecordList listed;
  };
  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, Site> sites ABSL_GUARDED_BY(mu);
    // The shard's requests by retention clock, in step with `sites`.
    ExpiryIndex expiry ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 32;

  Shard& ShardFor(absl::string_view site) const;
  // `keys`: OpenRequestKeysOf(request) (a create computes them before it
  // takes the shard lock).
  static void AddOpen(Site& site, const v1::BackInStockNotificationRequest& request,
                      OpenRequestKeys keys);
  static void RemoveOpen(Site& site, const v1::BackInStockNotificationRequest& request);
  // The rules of each write, on a site read under its shard lock (nullptr:
  // the site holds nothing).
  // `open_key`: the record's OpenRequestKey when it is open (else ignored).
  static absl::StatusOr<CreateResult> CheckCreateIn(const Site* site,
                                                    const NotificationRequestRecord& record,
                                                    absl::string_view open_key,
                                                    int64_t max_requests);
  static absl::Status CheckCompareAndSwapIn(const Site* site, int64_t expected_revision,
                                            const NotificationRequestRecord& next,
                                            ClaimChange change);
  static absl::Status CheckDeleteIn(const Site* site, absl::string_view id,
                                    int64_t expected_revision);
  const Site* FindSite(const Shard& shard, absl::string_view site) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);
  // Publishes under the shard lock, so that watchers see commits in order.
  void Publish(absl::string_view site, RequestEvent::Type type, RecordPtr record);

  mutable std::array<Shard, kShards> shards_;
  WatchHub<RequestEvent> hub_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_MEMORY_NOTIFICATION_REQUEST_STORE_H_
