#include "server/store/etcd/etcd_notification_request_store.h"

#include "absl/strings/str_cat.h"
#include "server/store/catalog_key.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store::etcd {
namespace {

// Conflicting writers (Creates and Deletes of one site all put its counter)
// make a transaction fail and go again with the counter it read; this bounds
// how often one call does that.
constexpr int kMaxConflicts = 64;

EtcdCache::CounterEntry CounterOf(const mvccpb::KeyValue* kv) {
  if (kv == nullptr) return EtcdCache::CounterEntry{};
  return EtcdCache::CounterEntry{std::max<int64_t>(CounterCount(kv->value()), 0),
                                 kv->mod_revision()};
}

absl::Status NotFound(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("no request ", id));
}

absl::Status Aborted(absl::string_view id, int64_t expected_revision) {
  return absl::AbortedError(
      absl::StrCat("request ", id, " changed since revision ", expected_revision));
}

bool IsProcessing(const v1::BackInStockNotificationRequest& request) {
  return request.status() == v1::BackInStockNotificationRequest::PROCESSING;
}

}  // namespace

absl::StatusOr<CreateResult> EtcdNotificationRequestStore::Create(
    absl::string_view site, const NotificationRequestRecord& record, int64_t max_requests) {
  if (record.revision != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a new record has revision 1, not ", record.revision));
  }
  const bool open = IsOpen(record.request.status());
  const std::string record_key = RequestKey(site, record.request.id());
  const std::string index_key = OpenIndexKey(site, OpenRequestKeyOf(record.request));
  const std::string counter_key = CounterKey(site);

  EtcdCache::CounterEntry counter = cache_->Counter(site);
  for (int conflict = 0; conflict < kMaxConflicts; ++conflict) {
    if (counter.count >= max_requests) {
      // Looks full: confirm with one atomic read of the duplicate index and
      // the counter (the duplicate answer comes first, as in memory).
      etcdserverpb::TxnRequest read;
      AddGet(read.add_success(), index_key);
      AddGet(read.add_success(), counter_key);
      absl::StatusOr<etcdserverpb::TxnResponse> state = client_->Txn(read);
      if (!state.ok()) return StorageUnavailable(state.status());
      if (const mvccpb::KeyValue* index = RangeResult(*state, 0); open && index != nullptr) {
        return CreateResult{CreateResult::Outcome::kDuplicate, index->value()};
      }
      counter = CounterOf(RangeResult(*state, 1));
      if (counter.count >= max_requests) return CreateResult{CreateResult::Outcome::kSiteFull, ""};
    }
    const std::string writer = committer_->NewWriter();
    etcdserverpb::TxnRequest txn;
    GuardAbsent(txn, record_key);
    if (open) GuardAbsent(txn, index_key);
    GuardRevision(txn, counter_key, counter.mod_revision);
    AddPut(txn.add_success(), record_key, EncodeRequest(record, writer));
    if (open) AddPut(txn.add_success(), index_key, record.request.id());
    AddPut(txn.add_success(), counter_key, CounterValue(counter.count + 1, writer));
    AddGet(txn.add_failure(), record_key);
    AddGet(txn.add_failure(), index_key);
    AddGet(txn.add_failure(), counter_key);

    absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
    if (!outcome.ok()) return outcome.status();
    if (outcome->succeeded) return CreateResult{};
    const etcdserverpb::TxnResponse& failed = outcome->response;
    if (const mvccpb::KeyValue* index = RangeResult(failed, 1); open && index != nullptr) {
      return CreateResult{CreateResult::Outcome::kDuplicate, index->value()};
    }
    if (RangeResult(failed, 0) != nullptr) {
      return absl::AlreadyExistsError(absl::StrCat("id ", record.request.id(), " is taken"));
    }
    // The counter moved (another Create or Delete of the site): go again
    // with the value read in the same transaction.
    counter = CounterOf(RangeResult(failed, 2));
    if (counter.count >= max_requests) return CreateResult{CreateResult::Outcome::kSiteFull, ""};
  }
  return absl::AbortedError(
      absl::StrCat("too many concurrent writes to the requests of site ", site));
}

absl::StatusOr<RecordPtr> EtcdNotificationRequestStore::Get(absl::string_view site,
                                                            absl::string_view id) const {
  auto entry = cache_->Request(site, id);
  if (!entry) return NotFound(id);
  return entry->record;
}

absl::StatusOr<int64_t> EtcdNotificationRequestStore::ModRevisionAt(
    absl::string_view site, absl::string_view id, int64_t expected_revision) const {
  auto entry = cache_->Request(site, id);
  if (entry && entry->record->revision == expected_revision) return entry->mod_revision;
  if (entry && entry->record->revision > expected_revision) return Aborted(id, expected_revision);
  // Absent here, or older than the caller's revision: this replica's cache
  // may lag behind what the caller saw elsewhere; etcd decides.
  absl::StatusOr<etcdserverpb::RangeResponse> read =
      client_->Range(GetRequest(RequestKey(site, id)));
  if (!read.ok()) return StorageUnavailable(read.status());
  if (read->kvs().empty()) return NotFound(id);
  absl::StatusOr<NotificationRequestRecord> stored = DecodeRequest(read->kvs(0).value(), nullptr);
  if (!stored.ok()) return stored.status();
  cache_->WaitForRevision(read->kvs(0).mod_revision(), absl::Seconds(2));
  if (stored->revision != expected_revision) return Aborted(id, expected_revision);
  return read->kvs(0).mod_revision();
}

absl::Status EtcdNotificationRequestStore::DoCompareAndSwap(absl::string_view site,
                                                            int64_t expected_revision,
                                                            const NotificationRequestRecord& next,
                                                            ClaimChange change) {
  const std::string& id = next.request.id();
  absl::StatusOr<int64_t> mod_revision = ModRevisionAt(site, id, expected_revision);
  if (!mod_revision.ok()) return mod_revision.status();
  auto previous = cache_->Request(site, id);
  if (!previous || previous->mod_revision != *mod_revision) return Aborted(id, expected_revision);
  // The transaction is guarded on this mod_revision: what is checked here is
  // what the write replaces.
  const v1::BackInStockNotificationRequest& before = previous->record->request;
  const std::string open_key = OpenRequestKeyOf(next.request);
  if (before.id() != id || OpenRequestKeyOf(before) != open_key) {
    return absl::InvalidArgumentError(
        absl::StrCat("request ", id, ": catalog reference and email never change"));
  }
  if (absl::Status named = CheckClaimChange(change, before.status(), next.request.status());
      !named.ok()) {
    return named;
  }
  const bool was_open = IsOpen(before.status());
  const bool is_open = IsOpen(next.request.status());
  const std::string record_key = RequestKey(site, id);
  const std::string index_key = OpenIndexKey(site, open_key);
  const std::string claim_key = ClaimKey(site, id);

  // A claim without a live lease would be a claim nobody keeps alive (and
  // that no sweeper would ever release): refuse it.
  int64_t lease = 0;
  if (change == ClaimChange::kClaim) {
    absl::StatusOr<int64_t> current = lease_->Current();
    if (!current.ok()) return StorageUnavailable(current.status());
    lease = *current;
  }

  const std::string writer = committer_->NewWriter();
  etcdserverpb::TxnRequest txn;
  GuardRevision(txn, record_key, *mod_revision);
  // Reopening must not create a second open request for the same key.
  if (!was_open && is_open) GuardAbsent(txn, index_key);
  AddPut(txn.add_success(), record_key, EncodeRequest(next, writer));
  if (was_open && !is_open) AddDelete(txn.add_success(), index_key);
  if (!was_open && is_open) AddPut(txn.add_success(), index_key, id);
  if (change == ClaimChange::kClaim) {
    etcdserverpb::RequestOp* claim = txn.add_success();
    AddPut(claim, claim_key, writer);
    claim->mutable_request_put()->set_lease(lease);
  }
  if (change == ClaimChange::kRelease) AddDelete(txn.add_success(), claim_key);
  AddGet(txn.add_failure(), record_key);
  AddGet(txn.add_failure(), index_key);

  absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
  if (!outcome.ok()) {
    AbandonClaimLease(change, lease);
    return outcome.status();
  }
  if (outcome->succeeded) return absl::OkStatus();
  const mvccpb::KeyValue* current = RangeResult(outcome->response, 0);
  if (current == nullptr) return NotFound(id);
  if (current->mod_revision() != *mod_revision) {
    // Let the re-read the caller will do see the winner's write.
    cache_->WaitForRevision(current->mod_revision(), absl::Seconds(2));
    return Aborted(id, expected_revision);
  }
  const mvccpb::KeyValue* index = RangeResult(outcome->response, 1);
  return absl::AlreadyExistsError(absl::StrCat("request ",
                                               index != nullptr ? index->value() : std::string("?"),
                                               " is already open for the same item and email"));
}

void EtcdNotificationRequestStore::AbandonClaimLease(ClaimChange change, int64_t claim_lease) {
  // A claim or a release that failed may leave a claim key on this
  // replica's lease that no report will ever remove: a claim of unknown
  // outcome (or committed but not yet seen here) that the report skips, a
  // release that could not be written. While the lease is renewed nobody
  // would sweep it, and the request would stay PROCESSING for as long as
  // this process runs. So the lease is abandoned instead: etcd lets it
  // expire after its TTL, and the sweepers settle whatever it still holds
  // as FAILED (never sent twice). Reports still running here settle their
  // own claims meanwhile, and new claims go on a new lease. (For a claim,
  // this also covers etcd refusing a put on a lease it no longer has.)
  switch (change) {
    case ClaimChange::kClaim:
      lease_->Lost(claim_lease);
      return;
    case ClaimChange::kRelease:
      if (absl::StatusOr<int64_t> current = lease_->Current(); current.ok()) {
        lease_->Lost(*current);
      }
      return;
    case ClaimChange::kNone:
      return;
  }
}

absl::Status EtcdNotificationRequestStore::Delete(absl::string_view site, absl::string_view id,
                                                  int64_t expected_revision) {
  absl::StatusOr<int64_t> mod_revision = ModRevisionAt(site, id, expected_revision);
  if (!mod_revision.ok()) return mod_revision.status();
  auto previous = cache_->Request(site, id);
  if (!previous || previous->mod_revision != *mod_revision) return Aborted(id, expected_revision);
  const v1::BackInStockNotificationRequest& before = previous->record->request;
  const std::string record_key = RequestKey(site, id);
  const std::string index_key = OpenIndexKey(site, OpenRequestKeyOf(before));
  const std::string counter_key = CounterKey(site);

  EtcdCache::CounterEntry counter = cache_->Counter(site);
  for (int conflict = 0; conflict < kMaxConflicts; ++conflict) {
    const std::string writer = committer_->NewWriter();
    etcdserverpb::TxnRequest txn;
    GuardRevision(txn, record_key, *mod_revision);
    GuardRevision(txn, counter_key, counter.mod_revision);
    AddDelete(txn.add_success(), record_key);
    if (IsOpen(before.status())) AddDelete(txn.add_success(), index_key);
    if (IsProcessing(before)) AddDelete(txn.add_success(), ClaimKey(site, id));
    AddPut(txn.add_success(), counter_key,
           CounterValue(std::max<int64_t>(counter.count - 1, 0), writer));
    AddGet(txn.add_failure(), record_key);
    AddGet(txn.add_failure(), counter_key);

    absl::StatusOr<Committer::Outcome> outcome = committer_->Commit(txn, writer);
    if (!outcome.ok()) return outcome.status();
    if (outcome->succeeded) return absl::OkStatus();
    const mvccpb::KeyValue* current = RangeResult(outcome->response, 0);
    if (current == nullptr) return NotFound(id);
    if (current->mod_revision() != *mod_revision) {
      cache_->WaitForRevision(current->mod_revision(), absl::Seconds(2));
      return Aborted(id, expected_revision);
    }
    counter = CounterOf(RangeResult(outcome->response, 1));
  }
  return absl::AbortedError(
      absl::StrCat("too many concurrent writes to the requests of site ", site));
}

absl::StatusOr<RecordList> EtcdNotificationRequestStore::List(absl::string_view site) const {
  return cache_->Requests(site);
}

absl::StatusOr<std::vector<int64_t>> EtcdNotificationRequestStore::CountOpen(
    absl::string_view site, const std::vector<std::string>& catalog_keys) const {
  return cache_->CountOpen(site, catalog_keys);
}

absl::StatusOr<std::vector<std::string>> EtcdNotificationRequestStore::OpenIds(
    absl::string_view site, absl::string_view catalog_key) const {
  return cache_->OpenIds(site, catalog_key);
}

std::unique_ptr<Subscription> EtcdNotificationRequestStore::Watch(
    absl::string_view site, std::function<void(const RequestEvent&)> on_event) {
  return cache_->WatchRequests(site, std::move(on_event));
}

}  // namespace backinstock::store::etcd
