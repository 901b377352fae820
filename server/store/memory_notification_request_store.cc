#include "server/store/memory_notification_request_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/store/catalog_key.h"

namespace backinstock::store {
namespace {

bool SameIdentity(const v1::BackInStockNotificationRequest& a,
                  const v1::BackInStockNotificationRequest& b) {
  return a.id() == b.id() && OpenRequestKeyOf(a) == OpenRequestKeyOf(b);
}

}  // namespace

MemoryNotificationRequestStore::Shard& MemoryNotificationRequestStore::ShardFor(
    absl::string_view site) const {
  return shards_[absl::Hash<absl::string_view>{}(site) % kShards];
}

void MemoryNotificationRequestStore::AddOpen(Site& site,
                                             const v1::BackInStockNotificationRequest& request,
                                             OpenRequestKeys keys) {
  site.open_by_key[std::move(keys.open)] = request.id();
  site.open_by_catalog.Add(request, std::move(keys.catalog));
}

void MemoryNotificationRequestStore::RemoveOpen(Site& site,
                                                const v1::BackInStockNotificationRequest& request) {
  site.open_by_key.erase(OpenRequestKeyOf(request));
  site.open_by_catalog.Remove(request);
}

void MemoryNotificationRequestStore::Publish(absl::string_view site, RequestEvent::Type type,
                                             RecordPtr record) {
  RequestEvent event;
  event.type = type;
  event.id = record->request.id();
  event.record = std::move(record);
  event.time = absl::Now();
  hub_.Publish(site, event);
}

const MemoryNotificationRequestStore::Site* MemoryNotificationRequestStore::FindSite(
    const Shard& shard, absl::string_view site) const {
  auto it = shard.sites.find(site);
  return it == shard.sites.end() ? nullptr : &it->second;
}

absl::StatusOr<CreateResult> MemoryNotificationRequestStore::CheckCreateIn(
    const Site* site, const NotificationRequestRecord& record, absl::string_view open_key,
    int64_t max_requests) {
  if (record.revision != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("a new record has revision 1, not ", record.revision));
  }
  if (site == nullptr) {
    if (max_requests <= 0) return CreateResult{CreateResult::Outcome::kSiteFull, ""};
    return CreateResult{};
  }
  if (IsOpen(record.request.status())) {
    auto existing = site->open_by_key.find(open_key);
    if (existing != site->open_by_key.end()) {
      return CreateResult{CreateResult::Outcome::kDuplicate, existing->second};
    }
  }
  if (static_cast<int64_t>(site->records.size()) >= max_requests) {
    return CreateResult{CreateResult::Outcome::kSiteFull, ""};
  }
  if (site->records.contains(record.request.id())) {
    return absl::AlreadyExistsError(absl::StrCat("id ", record.request.id(), " is taken"));
  }
  return CreateResult{};
}

absl::StatusOr<CreateResult> MemoryNotificationRequestStore::CheckCreate(
    absl::string_view site, const NotificationRequestRecord& record, int64_t max_requests) const {
  const std::string open_key =
      IsOpen(record.request.status()) ? OpenRequestKeyOf(record.request) : std::string();
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  return CheckCreateIn(FindSite(shard, site), record, open_key, max_requests);
}

absl::StatusOr<CreateResult> MemoryNotificationRequestStore::Create(
    absl::string_view site, const NotificationRequestRecord& record, int64_t max_requests) {
  auto stored = std::make_shared<const NotificationRequestRecord>(record);
  const bool open = IsOpen(record.request.status());
  OpenRequestKeys keys = open ? OpenRequestKeysOf(record.request) : OpenRequestKeys();
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  absl::StatusOr<CreateResult> checked =
      CheckCreateIn(FindSite(shard, site), record, keys.open, max_requests);
  if (!checked.ok() || checked->outcome != CreateResult::Outcome::kCreated) return checked;
  Site& entry = shard.sites[std::string(site)];
  entry.records.emplace(record.request.id(), stored);
  entry.listed.Forget();
  if (open) AddOpen(entry, record.request, std::move(keys));
  shard.expiry.Add(site, record);
  Publish(site, RequestEvent::Type::kCreated, std::move(stored));
  return CreateResult{};
}

absl::StatusOr<RecordPtr> MemoryNotificationRequestStore::Get(absl::string_view site,
                                                              absl::string_view id) const {
  Shard& shard = ShardFor(site);
  absl::ReaderMutexLock lock(&shard.mu);
  auto s = shard.sites.find(site);
  if (s != shard.sites.end()) {
    auto it = s->second.records.find(id);
    if (it != s->second.records.end()) return it->second;
  }
  return absl::NotFoundError(absl::StrCat("no request ", id));
}

absl::Status MemoryNotificationRequestStore::CheckCompareAndSwapIn(
    const Site* site, int64_t expected_revision, const NotificationRequestRecord& next,
    ClaimChange change) {
  const std::string& id = next.request.id();
  if (site == nullptr) return absl::NotFoundError(absl::StrCat("no request ", id));
  auto it = site->records.find(id);
  if (it == site->records.end()) return absl::NotFoundError(absl::StrCat("no request ", id));
  const v1::BackInStockNotificationRequest& previous = it->second->request;
  if (it->second->revision != expected_revision) {
    return absl::AbortedError(absl::StrCat("request ", id, " is at revision ", it->second->revision,
                                           ", not ", expected_revision));
  }
  if (!SameIdentity(previous, next.request)) {
    return absl::InvalidArgumentError(
        absl::StrCat("request ", id, ": catalog reference and email never change"));
  }
  if (absl::Status named = CheckClaimChange(change, previous.status(), next.request.status());
      !named.ok()) {
    return named;
  }
  if (!IsOpen(previous.status()) && IsOpen(next.request.status())) {
    // Reopening must not create a second open request for the same key.
    auto existing = site->open_by_key.find(OpenRequestKeyOf(next.request));
    if (existing != site->open_by_key.end()) {
      return absl::AlreadyExistsError(absl::StrCat("request ", existing->second,
                                                   " is already open for the same item and email"));
    }
  }
  return absl::OkStatus();
}

absl::Status MemoryNotificationRequestStore::CheckCompareAndSwap(
    absl::string_view site, int64_t expected_revision, const NotificationRequestRecord& next,
    ClaimChange change) const {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  return CheckCompareAndSwapIn(FindSite(shard, site), expected_revision, next, change);
}

absl::Status MemoryNotificationRequestStore::DoCompareAndSwap(absl::string_view site,
                                                              int64_t expected_revision,
                                                              const NotificationRequestRecord& next,
                                                              ClaimChange change) {
  auto stored = std::make_shared<const NotificationRequestRecord>(next);
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  if (absl::Status checked =
          CheckCompareAndSwapIn(FindSite(shard, site), expected_revision, next, change);
      !checked.ok()) {
    return checked;
  }
  Site& entry = shard.sites.find(site)->second;
  auto it = entry.records.find(next.request.id());
  const bool was_open = IsOpen(it->second->request.status());
  const bool is_open = IsOpen(next.request.status());
  if (was_open && !is_open) RemoveOpen(entry, it->second->request);
  if (!was_open && is_open) AddOpen(entry, next.request, OpenRequestKeysOf(next.request));
  shard.expiry.Remove(site, *it->second);
  shard.expiry.Add(site, next);
  it->second = stored;
  entry.listed.Forget();
  Publish(site, RequestEvent::Type::kUpdated, std::move(stored));
  return absl::OkStatus();
}

absl::Status MemoryNotificationRequestStore::CheckDeleteIn(const Site* site, absl::string_view id,
                                                           int64_t expected_revision) {
  if (site == nullptr) return absl::NotFoundError(absl::StrCat("no request ", id));
  auto it = site->records.find(id);
  if (it == site->records.end()) return absl::NotFoundError(absl::StrCat("no request ", id));
  if (it->second->revision != expected_revision) {
    return absl::AbortedError(absl::StrCat("request ", id, " is at revision ", it->second->revision,
                                           ", not ", expected_revision));
  }
  return absl::OkStatus();
}

absl::Status MemoryNotificationRequestStore::CheckDelete(absl::string_view site,
                                                         absl::string_view id,
                                                         int64_t expected_revision) const {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  return CheckDeleteIn(FindSite(shard, site), id, expected_revision);
}

absl::Status MemoryNotificationRequestStore::Delete(absl::string_view site, absl::string_view id,
                                                    int64_t expected_revision) {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  if (absl::Status checked = CheckDeleteIn(FindSite(shard, site), id, expected_revision);
      !checked.ok()) {
    return checked;
  }
  auto s = shard.sites.find(site);
  Site& entry = s->second;
  auto it = entry.records.find(id);
  RecordPtr deleted = std::move(it->second);
  entry.records.erase(it);
  entry.listed.Forget();
  if (IsOpen(deleted->request.status())) RemoveOpen(entry, deleted->request);
  shard.expiry.Remove(site, *deleted);
  Publish(site, RequestEvent::Type::kDeleted, std::move(deleted));
  if (entry.records.empty()) shard.sites.erase(s);
  return absl::OkStatus();
}

absl::Status MemoryNotificationRequestStore::Restore(absl::string_view site,
                                                     const NotificationRequestRecord& record) {
  auto stored = std::make_shared<const NotificationRequestRecord>(record);
  const std::string& id = record.request.id();
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  Site& entry = shard.sites[std::string(site)];
  auto it = entry.records.find(id);
  if (it != entry.records.end()) {
    if (record.revision <= it->second->revision ||
        !SameIdentity(it->second->request, record.request)) {
      return absl::DataLossError(absl::StrCat("request ", id, " goes from revision ",
                                              it->second->revision, " to ", record.revision,
                                              " or changes its catalog reference or email"));
    }
  } else if (record.revision < 1) {
    if (entry.records.empty()) shard.sites.erase(std::string(site));
    return absl::DataLossError(absl::StrCat("request ", id, " has no revision"));
  }
  // Checked before anything changes, so that a refused restore leaves the
  // site's indexes as they were. The request itself may hold its key (an
  // open request restored at a later revision, still open).
  const bool open = IsOpen(record.request.status());
  OpenRequestKeys keys = open ? OpenRequestKeysOf(record.request) : OpenRequestKeys();
  if (open) {
    auto holder = entry.open_by_key.find(keys.open);
    if (holder != entry.open_by_key.end() && holder->second != id) {
      return absl::DataLossError(absl::StrCat("requests ", holder->second, " and ", id,
                                              " are both open for the same item and email"));
    }
  }
  if (it != entry.records.end()) {
    if (IsOpen(it->second->request.status())) RemoveOpen(entry, it->second->request);
    shard.expiry.Remove(site, *it->second);
  }
  if (open) AddOpen(entry, record.request, std::move(keys));
  shard.expiry.Add(site, record);
  entry.records[id] = std::move(stored);
  entry.listed.Forget();
  return absl::OkStatus();
}

absl::Status MemoryNotificationRequestStore::RestoreDeletion(absl::string_view site,
                                                             absl::string_view id) {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  auto s = shard.sites.find(site);
  if (s == shard.sites.end() || !s->second.records.contains(id)) {
    return absl::DataLossError(absl::StrCat("request ", id, " is deleted but was never created"));
  }
  auto it = s->second.records.find(id);
  if (IsOpen(it->second->request.status())) RemoveOpen(s->second, it->second->request);
  shard.expiry.Remove(site, *it->second);
  s->second.records.erase(it);
  s->second.listed.Forget();
  if (s->second.records.empty()) shard.sites.erase(s);
  return absl::OkStatus();
}

absl::StatusOr<RecordList> MemoryNotificationRequestStore::List(absl::string_view site) const {
  Shard& shard = ShardFor(site);
  absl::ReaderMutexLock lock(&shard.mu);
  auto s = shard.sites.find(site);
  if (s == shard.sites.end()) return EmptyRecordList();
  return s->second.listed.Get(s->second.records, [](const RecordPtr& record) { return record; });
}

absl::StatusOr<std::vector<int64_t>> MemoryNotificationRequestStore::CountOpen(
    absl::string_view site, const std::vector<std::string>& catalog_keys) const {
  std::vector<int64_t> counts(catalog_keys.size(), 0);
  Shard& shard = ShardFor(site);
  absl::ReaderMutexLock lock(&shard.mu);
  auto s = shard.sites.find(site);
  if (s == shard.sites.end()) return counts;
  return s->second.open_by_catalog.Count(catalog_keys);
}

absl::StatusOr<std::vector<std::string>> MemoryNotificationRequestStore::OpenIds(
    absl::string_view site, absl::string_view catalog_key) const {
  std::vector<std::string> ids;
  Shard& shard = ShardFor(site);
  absl::ReaderMutexLock lock(&shard.mu);
  auto s = shard.sites.find(site);
  if (s == shard.sites.end()) return ids;
  return s->second.open_by_catalog.Ids(catalog_key);
}

absl::StatusOr<std::vector<ExpiredRequest>> MemoryNotificationRequestStore::ExpiredRequests(
    absl::Time received_before, absl::Time settled_before, size_t limit) const {
  // Each shard's oldest `limit` of each kind, then the most overdue of all:
  // one shard lock at a time, each held for the answer's size.
  std::vector<ExpiredRequest> candidates;
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    shard.expiry.Collect(received_before, settled_before, limit, candidates);
  }
  KeepMostOverdue(candidates, limit);
  return candidates;
}

std::unique_ptr<Subscription> MemoryNotificationRequestStore::Watch(
    absl::string_view site, std::function<void(const RequestEvent&)> on_event) {
  // Taking the shard lock orders the subscription against commits: the
  // watcher sees exactly the changes committed after this point.
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  return hub_.Subscribe(site, std::move(on_event));
}

}  // namespace backinstock::store
