#include "server/store/etcd/etcd_cache.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace backinstock::store::etcd {

EtcdCache::EtcdCache(const EtcdClient* client)
    : loop_(std::make_unique<WatchLoop>(
          client,
          WatchLoop::Callbacks{
              [this](CacheState next, int64_t revision) {
                TakeSnapshot(std::move(next), revision);
              },
              [this](const std::vector<CacheState::WriterSeen>& writers) {
                for (const CacheState::WriterSeen& seen : writers) {
                  writers_.Seen(seen.writer, seen.revision);
                }
              },
              [this](const etcdserverpb::WatchResponse& response) { ApplyResponse(response); },
          })) {}

absl::StatusOr<std::unique_ptr<EtcdCache>> EtcdCache::Start(const EtcdClient* client,
                                                            absl::Duration load_timeout) {
  std::unique_ptr<EtcdCache> cache(new EtcdCache(client));
  if (absl::Status started = cache->loop_->Start(load_timeout); !started.ok()) return started;
  return cache;
}

EtcdCache::~EtcdCache() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  loop_->Stop();
}

void EtcdCache::SetHealthCallback(HealthCallback callback) {
  loop_->SetHealthCallback(std::move(callback));
}

void EtcdCache::TakeSnapshot(CacheState next, int64_t revision) {
  bool orphans = false;
  {
    absl::MutexLock lock(&mu_);
    CacheState::Changes changes = state_.Replace(std::move(next));
    Publish(changes);
    applied_ = std::max(applied_, revision);
    orphans = changes.orphans;
  }
  if (orphans) NotifyOrphans();
}

void EtcdCache::ApplyResponse(const etcdserverpb::WatchResponse& response) {
  bool orphans = false;
  {
    absl::MutexLock lock(&mu_);
    // One response holds every event of a revision, so a claim key and the
    // record it claims are applied together: no orphan is seen in between.
    for (const mvccpb::Event& event : response.events()) {
      CacheState::Changes changes = state_.Apply(event.kv(), event.type() == mvccpb::Event::DELETE);
      Publish(changes);
      applied_ = std::max(applied_, event.kv().mod_revision());
      orphans |= changes.orphans;
    }
  }
  if (orphans) NotifyOrphans();
}

void EtcdCache::Publish(CacheState::Changes& changes) {
  for (const CacheState::WriterSeen& seen : changes.writers) {
    writers_.Seen(seen.writer, seen.revision);
  }
  for (const CacheState::SettingsChange& change : changes.settings) {
    settings_hub_.Publish(change.site, change.record);
  }
  for (CacheState::RequestChange& change : changes.requests) {
    RequestEvent event;
    event.type = change.type;
    event.id = change.record->request.id();
    event.record = std::move(change.record);
    event.time = absl::Now();
    requests_hub_.Publish(change.site, event);
  }
}

void EtcdCache::NotifyOrphans() {
  absl::MutexLock lock(&orphans_mu_);
  if (on_orphans_) on_orphans_();
}

void EtcdCache::SetOrphansCallback(std::function<void()> callback) {
  absl::MutexLock lock(&orphans_mu_);
  on_orphans_ = std::move(callback);
}

std::vector<EtcdCache::Orphan> EtcdCache::Orphans() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.Orphans();
}

bool EtcdCache::HasClaim(absl::string_view site, absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.HasClaim(site, id);
}

std::vector<ExpiredRequest> EtcdCache::ExpiredRequests(absl::Time received_before,
                                                       absl::Time settled_before,
                                                       size_t limit) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.ExpiredRequests(received_before, settled_before, limit);
}

size_t EtcdCache::request_sites() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.request_sites();
}

std::optional<EtcdCache::SettingsEntry> EtcdCache::Settings(absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.Settings(site);
}

std::optional<EtcdCache::RequestEntry> EtcdCache::Request(absl::string_view site,
                                                          absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.Request(site, id);
}

EtcdCache::CounterEntry EtcdCache::Counter(absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.Counter(site);
}

std::optional<EtcdCache::EmailTemplateEntry> EtcdCache::EmailTemplate(
    absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.EmailTemplate(site);
}

RecordList EtcdCache::Requests(absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.Requests(site);
}

std::vector<int64_t> EtcdCache::CountOpen(absl::string_view site,
                                          const std::vector<std::string>& catalog_keys) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.CountOpen(site, catalog_keys);
}

std::vector<std::string> EtcdCache::OpenIds(absl::string_view site,
                                            absl::string_view catalog_key) const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.OpenIds(site, catalog_key);
}

std::unique_ptr<Subscription> EtcdCache::WatchSettings(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  // Under mu_, so that no change is applied between the current record and
  // the subscription.
  absl::MutexLock lock(&mu_);
  std::optional<SettingsEntry> entry = state_.Settings(site);
  const SettingsRecord current = entry ? std::move(entry->record) : SettingsRecord{};
  return settings_hub_.Subscribe(site, std::move(on_change), &current);
}

std::unique_ptr<Subscription> EtcdCache::WatchRequests(
    absl::string_view site, std::function<void(const RequestEvent&)> on_event) {
  absl::MutexLock lock(&mu_);
  return requests_hub_.Subscribe(site, std::move(on_event));
}

bool EtcdCache::WaitForRevision(int64_t revision, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  std::pair<EtcdCache*, int64_t> wanted(this, revision);
  const absl::Condition reached(
      +[](std::pair<EtcdCache*, int64_t>* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        return w->first->applied_ >= w->second || w->first->stopping_;
      },
      &wanted);
  mu_.AwaitWithTimeout(reached, timeout);
  return applied_ >= revision;
}

int64_t EtcdCache::applied_revision() const {
  absl::ReaderMutexLock lock(&mu_);
  return applied_;
}

}  // namespace backinstock::store::etcd
