#include "server/store/etcd/etcd_cache.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/logging/log.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/email_template_codec.h"
#include "server/store/etcd/keys.h"

namespace backinstock::store::etcd {
namespace {

constexpr int64_t kLoadPageSize = 1000;

}  // namespace

absl::StatusOr<std::unique_ptr<EtcdCache>> EtcdCache::Start(const EtcdClient* client,
                                                            absl::Duration load_timeout) {
  std::unique_ptr<EtcdCache> cache(new EtcdCache(client));
  const absl::Time give_up = absl::Now() + load_timeout;
  absl::Duration backoff = absl::Milliseconds(100);
  for (;;) {
    State state;
    int64_t revision = 0;
    absl::Status loaded = cache->Load(state, revision);
    if (loaded.ok()) {
      cache->Replace(std::move(state), revision);
      break;
    }
    if (absl::Now() + backoff > give_up) {
      return absl::UnavailableError(absl::StrCat("cannot read the store from etcd at ",
                                                 client->target(), ": ", loaded.message()));
    }
    logging::Warning("etcd not ready, retrying", {{"error", std::string(loaded.message())}});
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
  cache->thread_ = std::thread([raw = cache.get()] { raw->Run(); });
  return cache;
}

EtcdCache::~EtcdCache() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  {
    absl::MutexLock lock(&stream_mu_);
    if (stream_context_ != nullptr) stream_context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void EtcdCache::SetHealthCallback(HealthCallback callback) {
  absl::MutexLock lock(&health_mu_);
  on_health_ = std::move(callback);
}

void EtcdCache::SetFollowing(bool following) {
  absl::MutexLock lock(&health_mu_);
  if (following_ == following) return;
  following_ = following;
  if (following) {
    logging::Info("etcd watch following again");
  } else {
    logging::Warning("etcd watch lost; reads are served from the cache until it resumes");
  }
  if (on_health_) on_health_(following);
}

absl::Status EtcdCache::Load(State& state, int64_t& revision) {
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(kRootPrefix));
  request.set_range_end(PrefixEnd(kRootPrefix));
  request.set_limit(kLoadPageSize);
  revision = 0;
  for (;;) {
    // Every page after the first is read at the first page's revision, so
    // the whole load is one consistent snapshot.
    if (revision != 0) request.set_revision(revision);
    absl::StatusOr<etcdserverpb::RangeResponse> page = client_->Range(request);
    if (!page.ok()) return page.status();
    if (revision == 0) revision = page->header().revision();
    {
      absl::MutexLock lock(&mu_);  // ApplyKv notes writers under mu_
      for (const mvccpb::KeyValue& kv : page->kvs()) {
        ApplyKv(state, kv, /*deleted=*/false, /*publish=*/false);
      }
    }
    if (!page->more() || page->kvs().empty()) return absl::OkStatus();
    request.set_key(page->kvs(page->kvs_size() - 1).key() + std::string(1, '\0'));
  }
}

void EtcdCache::Replace(State next, int64_t revision) {
  bool orphans = false;
  {
    absl::MutexLock lock(&mu_);
    ReplaceLocked(std::move(next), revision);
    for (const auto& [site, requests] : state_.requests) orphans |= !requests.orphans.empty();
    orphans_added_ = false;
  }
  if (orphans) NotifyOrphans();
}

void EtcdCache::ReplaceLocked(State next, int64_t revision) {
  // Settings: every site whose record changed gets its new record.
  for (auto& [site, entry] : next.settings) {
    auto old = state_.settings.find(site);
    if (old == state_.settings.end() || old->second.mod_revision != entry.mod_revision) {
      settings_hub_.Publish(site, entry.record);
    }
  }
  // Requests: deleted, created and updated records become events.
  for (auto& [site, old_site] : state_.requests) {
    auto fresh_site = next.requests.find(site);
    for (auto& [id, entry] : old_site.records) {
      if (fresh_site == next.requests.end() || !fresh_site->second.records.contains(id)) {
        PublishRequest(site, RequestEvent::Type::kDeleted, entry.record);
      }
    }
  }
  for (auto& [site, fresh_site] : next.requests) {
    auto old_site = state_.requests.find(site);
    for (auto& [id, entry] : fresh_site.records) {
      if (old_site == state_.requests.end() || !old_site->second.records.contains(id)) {
        PublishRequest(site, RequestEvent::Type::kCreated, entry.record);
      } else if (old_site->second.records.at(id).mod_revision != entry.mod_revision) {
        PublishRequest(site, RequestEvent::Type::kUpdated, entry.record);
      }
    }
  }
  state_ = std::move(next);
  applied_ = std::max(applied_, revision);
}

void EtcdCache::Run() {
  absl::Duration backoff = absl::Milliseconds(50);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    const bool compacted = WatchOnce();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
    }
    SetFollowing(false);
    if (compacted) {
      // The history we would resume from is gone: start over from a full
      // read, publishing the difference.
      State state;
      int64_t revision = 0;
      if (absl::Status loaded = Load(state, revision); loaded.ok()) {
        full_reloads_.fetch_add(1);
        logging::Info("etcd watch compacted; store re-read", {{"revision", revision}});
        Replace(std::move(state), revision);
        backoff = absl::Milliseconds(50);
        continue;
      }
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, absl::Seconds(1));
  }
}

bool EtcdCache::WatchOnce() {
  grpc::ClientContext context;
  EtcdClient::RequireLeader(&context);
  // Wait for a member to be reachable rather than fail at once: the loop
  // would only come back here.
  context.set_wait_for_ready(true);
  int64_t start = 0;
  {
    absl::MutexLock lock(&mu_);
    start = applied_ + 1;
  }
  etcdserverpb::WatchRequest create;
  etcdserverpb::WatchCreateRequest* watch = create.mutable_create_request();
  watch->set_key(std::string(kRootPrefix));
  watch->set_range_end(PrefixEnd(kRootPrefix));
  watch->set_start_revision(start);

  // Responses arrive on gRPC's callback threads, one at a time and in order.
  // Written there, read here after AwaitDone (which orders the two).
  bool compacted = false;
  auto stream = std::make_shared<WatchStream>(
      &context, [this, &compacted](const etcdserverpb::WatchResponse& response) {
        if (response.compact_revision() != 0) {
          compacted = true;
          return false;
        }
        if (response.canceled()) return false;
        if (response.created()) {
          stream_created_.store(true);
          SetFollowing(true);
          return true;
        }
        Apply(response);
        return true;
      });
  // Published before the call starts: opening the stream waits for a member
  // to be reachable, possibly forever, and the destructor must be able to
  // cancel that wait (a context cancelled before its call starts cancels the
  // call as soon as it does).
  {
    absl::MutexLock lock(&stream_mu_);
    stream_context_ = &context;
    stream_ = stream;
    stream_created_.store(false);
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) context.TryCancel();
  }
  watch_attempts_.fetch_add(1);
  stream->Start(client_->watch_stub(), create);
  stream->AwaitEnded();
  {
    absl::MutexLock lock(&stream_mu_);
    stream_context_ = nullptr;
    stream_ = nullptr;
    stream_created_.store(false);
  }
  context.TryCancel();
  stream->AwaitDone();
  return compacted;
}

void EtcdCache::Apply(const etcdserverpb::WatchResponse& response) {
  bool orphans = false;
  {
    absl::MutexLock lock(&mu_);
    if (response.events().empty()) {
      // A progress notification: every change up to this revision was sent.
      applied_ = std::max(applied_, response.header().revision());
      return;
    }
    // One response holds every event of a revision, so a claim key and the
    // record it claims are applied together: no orphan is seen in between.
    for (const mvccpb::Event& event : response.events()) {
      ApplyKv(state_, event.kv(), event.type() == mvccpb::Event::DELETE, /*publish=*/true);
      applied_ = std::max(applied_, event.kv().mod_revision());
    }
    orphans = std::exchange(orphans_added_, false);
  }
  if (orphans) NotifyOrphans();
}

void EtcdCache::UpdateOrphan(SiteRequests& site, const std::string& id) {
  auto record = site.records.find(id);
  const bool orphan =
      record != site.records.end() &&
      record->second.record->request.status() == v1::BackInStockNotificationRequest::PROCESSING &&
      !site.claims.contains(id);
  if (!orphan) {
    site.orphans.erase(id);
  } else if (site.orphans.insert(id).second) {
    orphans_added_ = true;
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
  std::vector<Orphan> orphans;
  absl::ReaderMutexLock lock(&mu_);
  for (const auto& [site, requests] : state_.requests) {
    for (const std::string& id : requests.orphans) {
      orphans.push_back(Orphan{site, requests.records.at(id)});
    }
  }
  return orphans;
}

bool EtcdCache::HasClaim(absl::string_view site, absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto s = state_.requests.find(site);
  return s != state_.requests.end() && s->second.claims.contains(id);
}

void EtcdCache::NoteWriter(absl::string_view writer, int64_t revision) {
  if (writer.empty()) return;
  auto it = writers_.find(writer);
  if (it != writers_.end() && it->second == 0) it->second = revision;
}

void EtcdCache::PublishRequest(absl::string_view site, RequestEvent::Type type, RecordPtr record) {
  RequestEvent event;
  event.type = type;
  event.id = record->request.id();
  event.record = std::move(record);
  event.time = absl::Now();
  requests_hub_.Publish(site, event);
}

void EtcdCache::ApplyKv(State& state, const mvccpb::KeyValue& kv, bool deleted, bool publish) {
  const ParsedKey key = ParseKey(kv.key());
  switch (key.kind) {
    case ParsedKey::Kind::kSettings:
      return ApplySettings(state, key, kv, deleted, publish);
    case ParsedKey::Kind::kRequest:
      if (deleted) return RemoveRequest(state, key, publish);
      return ApplyRequest(state, key, kv, publish);
    case ParsedKey::Kind::kCounter:
      return ApplyCounter(state, key, kv, deleted);
    case ParsedKey::Kind::kClaim:
      return ApplyClaim(state, key, deleted);
    case ParsedKey::Kind::kEmailTemplate:
      return ApplyEmailTemplate(state, key, kv, deleted);
    case ParsedKey::Kind::kOpenIndex:
    case ParsedKey::Kind::kUnknown:
      return;  // the index lives in etcd for the Txn guards; the cache keeps its own
  }
}

void EtcdCache::ApplySettings(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv,
                              bool deleted, bool publish) {
  if (deleted) {
    state.settings.erase(key.site);
    return;
  }
  std::string writer;
  absl::StatusOr<SettingsRecord> record = DecodeSettings(kv.value(), &writer);
  if (!record.ok()) {
    logging::Warning("etcd: skipping undecodable settings", {{"key", kv.key()}});
    return;
  }
  NoteWriter(writer, kv.mod_revision());
  SettingsEntry& entry = state.settings[key.site];
  entry.record = *std::move(record);
  entry.mod_revision = kv.mod_revision();
  if (publish) settings_hub_.Publish(key.site, entry.record);
}

void EtcdCache::RemoveRequest(State& state, const ParsedKey& key, bool publish) {
  auto site = state.requests.find(key.site);
  if (site == state.requests.end()) return;
  auto existing = site->second.records.find(key.id);
  if (existing == site->second.records.end()) return;
  RecordPtr gone = std::move(existing->second.record);
  site->second.records.erase(existing);
  site->second.orphans.erase(key.id);
  site->second.open_by_catalog.Remove(gone->request);
  state.expiry.Remove(key.site, *gone);
  DropIfEmpty(state, site);
  if (publish) PublishRequest(key.site, RequestEvent::Type::kDeleted, std::move(gone));
}

void EtcdCache::ApplyRequest(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv,
                             bool publish) {
  std::string writer;
  absl::StatusOr<NotificationRequestRecord> decoded = DecodeRequest(kv.value(), &writer);
  if (!decoded.ok()) {
    logging::Warning("etcd: skipping undecodable request", {{"key", kv.key()}});
    return;
  }
  NoteWriter(writer, kv.mod_revision());
  SiteRequests& site = state.requests[key.site];
  auto existing = site.records.find(key.id);
  auto record = std::make_shared<const NotificationRequestRecord>(*std::move(decoded));
  const bool created = existing == site.records.end();
  if (!created) {
    site.open_by_catalog.Remove(existing->second.record->request);
    state.expiry.Remove(key.site, *existing->second.record);
  }
  site.open_by_catalog.Add(record->request);
  state.expiry.Add(key.site, *record);
  site.records[key.id] = RequestEntry{record, kv.mod_revision()};
  UpdateOrphan(site, key.id);
  if (publish) {
    PublishRequest(key.site, created ? RequestEvent::Type::kCreated : RequestEvent::Type::kUpdated,
                   std::move(record));
  }
}

void EtcdCache::ApplyCounter(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv,
                             bool deleted) {
  if (!deleted) NoteWriter(CounterWriter(kv.value()), kv.mod_revision());
  auto site = state.requests.try_emplace(key.site).first;
  site->second.counter =
      deleted ? CounterEntry{}
              : CounterEntry{std::max<int64_t>(CounterCount(kv.value()), 0), kv.mod_revision()};
  DropIfEmpty(state, site);
}

void EtcdCache::ApplyClaim(State& state, const ParsedKey& key, bool deleted) {
  auto site = state.requests.try_emplace(key.site).first;
  if (deleted) {
    site->second.claims.erase(key.id);
  } else {
    site->second.claims.insert(key.id);
  }
  UpdateOrphan(site->second, key.id);
  DropIfEmpty(state, site);
}

void EtcdCache::ApplyEmailTemplate(State& state, const ParsedKey& key, const mvccpb::KeyValue& kv,
                                   bool deleted) {
  if (deleted) {
    state.email_templates.erase(key.site);
    return;
  }
  std::string writer;
  absl::StatusOr<EmailTemplateRecord> record = DecodeEmailTemplate(kv.value(), &writer);
  if (!record.ok()) {
    logging::Warning("etcd: skipping undecodable email template", {{"key", kv.key()}});
    return;
  }
  NoteWriter(writer, kv.mod_revision());
  state.email_templates[key.site] = EmailTemplateEntry{*std::move(record), kv.mod_revision()};
}

void EtcdCache::DropIfEmpty(State& state, RequestSites::iterator site) {
  const SiteRequests& requests = site->second;
  if (requests.records.empty() && requests.claims.empty() && requests.orphans.empty() &&
      requests.open_by_catalog.empty() && requests.counter.count == 0) {
    state.requests.erase(site);
  }
}

std::vector<ExpiredRequest> EtcdCache::ExpiredRequests(absl::Time received_before,
                                                       absl::Time settled_before,
                                                       size_t limit) const {
  std::vector<ExpiredRequest> expired;
  absl::MutexLock lock(&mu_);
  state_.expiry.Collect(received_before, settled_before, limit, expired);
  KeepMostOverdue(expired, limit);
  return expired;
}

size_t EtcdCache::request_sites() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_.requests.size();
}

std::optional<EtcdCache::SettingsEntry> EtcdCache::Settings(absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = state_.settings.find(site);
  if (it == state_.settings.end()) return std::nullopt;
  return it->second;
}

std::optional<EtcdCache::RequestEntry> EtcdCache::Request(absl::string_view site,
                                                          absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto s = state_.requests.find(site);
  if (s == state_.requests.end()) return std::nullopt;
  auto it = s->second.records.find(id);
  if (it == s->second.records.end()) return std::nullopt;
  return it->second;
}

EtcdCache::CounterEntry EtcdCache::Counter(absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  auto s = state_.requests.find(site);
  return s == state_.requests.end() ? CounterEntry{} : s->second.counter;
}

std::optional<EtcdCache::EmailTemplateEntry> EtcdCache::EmailTemplate(
    absl::string_view site) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = state_.email_templates.find(site);
  if (it == state_.email_templates.end()) return std::nullopt;
  return it->second;
}

std::vector<RecordPtr> EtcdCache::Requests(absl::string_view site) const {
  std::vector<RecordPtr> records;
  absl::ReaderMutexLock lock(&mu_);
  auto s = state_.requests.find(site);
  if (s == state_.requests.end()) return records;
  records.reserve(s->second.records.size());
  for (const auto& [id, entry] : s->second.records) records.push_back(entry.record);
  return records;
}

std::vector<int64_t> EtcdCache::CountOpen(absl::string_view site,
                                          const std::vector<std::string>& catalog_keys) const {
  std::vector<int64_t> counts(catalog_keys.size(), 0);
  absl::ReaderMutexLock lock(&mu_);
  auto s = state_.requests.find(site);
  if (s == state_.requests.end()) return counts;
  return s->second.open_by_catalog.Count(catalog_keys);
}

std::vector<std::string> EtcdCache::OpenIds(absl::string_view site,
                                            absl::string_view catalog_key) const {
  std::vector<std::string> ids;
  absl::ReaderMutexLock lock(&mu_);
  auto s = state_.requests.find(site);
  if (s == state_.requests.end()) return ids;
  return s->second.open_by_catalog.Ids(catalog_key);
}

std::unique_ptr<Subscription> EtcdCache::WatchSettings(
    absl::string_view site, std::function<void(const SettingsRecord&)> on_change) {
  // Under mu_, so that no change is applied between the current record and
  // the subscription.
  absl::MutexLock lock(&mu_);
  auto it = state_.settings.find(site);
  const SettingsRecord current = it == state_.settings.end() ? SettingsRecord{} : it->second.record;
  return settings_hub_.Subscribe(site, std::move(on_change), &current);
}

std::unique_ptr<Subscription> EtcdCache::WatchRequests(
    absl::string_view site, std::function<void(const RequestEvent&)> on_event) {
  absl::MutexLock lock(&mu_);
  return requests_hub_.Subscribe(site, std::move(on_event));
}

void EtcdCache::RequestProgress() {
  std::shared_ptr<WatchStream> stream;
  {
    absl::MutexLock lock(&stream_mu_);
    if (stream_ == nullptr || !stream_created_.load()) return;
    stream = stream_;
  }
  // Sent without stream_mu_: gRPC may run the stream's callbacks inline.
  etcdserverpb::WatchRequest progress;
  progress.mutable_progress_request();
  stream->Send(progress);
}

bool EtcdCache::WaitForRevision(int64_t revision, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  // Our own writes are events under the prefix and arrive by themselves; a
  // revision made by a write elsewhere (or by none of ours) arrives with a
  // progress notification, asked for when the wait is not over quickly.
  absl::Duration step = absl::Milliseconds(100);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      std::pair<EtcdCache*, int64_t> wanted(this, revision);
      const absl::Condition reached(
          +[](std::pair<EtcdCache*, int64_t>* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return w->first->applied_ >= w->second || w->first->stopping_;
          },
          &wanted);
      const absl::Time until = std::min(deadline, absl::Now() + step);
      if (mu_.AwaitWithDeadline(reached, until)) return applied_ >= revision;
      if (absl::Now() >= deadline) return false;
    }
    RequestProgress();
    step = std::min(step * 2, absl::Seconds(1));
  }
}

int64_t EtcdCache::applied_revision() const {
  absl::ReaderMutexLock lock(&mu_);
  return applied_;
}

void EtcdCache::ExpectWriter(const std::string& writer) {
  absl::MutexLock lock(&mu_);
  writers_.try_emplace(writer, 0);
}

int64_t EtcdCache::WriterSeenAt(const std::string& writer) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = writers_.find(writer);
  return it == writers_.end() ? 0 : it->second;
}

void EtcdCache::ForgetWriter(const std::string& writer) {
  absl::MutexLock lock(&mu_);
  writers_.erase(writer);
}

}  // namespace backinstock::store::etcd
