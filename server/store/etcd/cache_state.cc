#include "server/store/etcd/cache_state.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "server/logging/log.h"
#include "server/store/etcd/codec.h"
#include "server/store/etcd/email_template_codec.h"
#include "server/store/etcd/keys.h"

namespace backinstock::store::etcd {

CacheState::Changes CacheState::Apply(const mvccpb::KeyValue& kv, bool deleted) {
  Changes changes;
  const ParsedKey key = ParseKey(kv.key());
  switch (key.kind) {
    case ParsedKey::Kind::kSettings:
      ApplySettings(key, kv, deleted, changes);
      break;
    case ParsedKey::Kind::kRequest:
      if (deleted) {
        RemoveRequest(key, changes);
      } else {
        ApplyRequest(key, kv, changes);
      }
      break;
    case ParsedKey::Kind::kCounter:
      ApplyCounter(key, kv, deleted, changes);
      break;
    case ParsedKey::Kind::kClaim:
      ApplyClaim(key, deleted, changes);
      break;
    case ParsedKey::Kind::kEmailTemplate:
      ApplyEmailTemplate(key, kv, deleted, changes);
      break;
    case ParsedKey::Kind::kOpenIndex:
    case ParsedKey::Kind::kUnknown:
      // The index lives in etcd for the Txn guards (the state keeps its own);
      // the fence key only marks a revision.
      break;
  }
  return changes;
}

CacheState::Changes CacheState::Replace(CacheState next) {
  Changes changes;
  // Settings: every site whose record changed gets its new record.
  for (const auto& [site, entry] : next.settings_) {
    auto old = settings_.find(site);
    if (old == settings_.end() || old->second.mod_revision != entry.mod_revision) {
      changes.settings.push_back(SettingsChange{site, entry.record});
    }
  }
  // Requests: deleted, created and updated records become events.
  for (const auto& [site, old_site] : requests_) {
    auto fresh_site = next.requests_.find(site);
    for (const auto& [id, entry] : old_site.records) {
      if (fresh_site == next.requests_.end() || !fresh_site->second.records.contains(id)) {
        changes.requests.push_back(RequestChange{site, RequestEvent::Type::kDeleted, entry.record});
      }
    }
  }
  for (const auto& [site, fresh_site] : next.requests_) {
    auto old_site = requests_.find(site);
    for (const auto& [id, entry] : fresh_site.records) {
      if (old_site == requests_.end() || !old_site->second.records.contains(id)) {
        changes.requests.push_back(RequestChange{site, RequestEvent::Type::kCreated, entry.record});
      } else if (old_site->second.records.at(id).mod_revision != entry.mod_revision) {
        changes.requests.push_back(RequestChange{site, RequestEvent::Type::kUpdated, entry.record});
      }
    }
  }
  // Nobody watches templates: they are replaced silently.
  *this = std::move(next);
  for (const auto& [site, requests] : requests_) changes.orphans |= !requests.orphans.empty();
  return changes;
}

void CacheState::NoteWriter(std::string writer, int64_t revision, Changes& changes) {
  if (writer.empty()) return;
  changes.writers.push_back(WriterSeen{std::move(writer), revision});
}

void CacheState::ApplySettings(const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                               Changes& changes) {
  if (deleted) {
    settings_.erase(key.site);
    return;
  }
  std::string writer;
  absl::StatusOr<SettingsRecord> record = DecodeSettings(kv.value(), &writer);
  if (!record.ok()) {
    logging::Warning("etcd: skipping undecodable settings", {{"key", kv.key()}});
    return;
  }
  NoteWriter(std::move(writer), kv.mod_revision(), changes);
  SettingsEntry& entry = settings_[key.site];
  entry.record = *std::move(record);
  entry.mod_revision = kv.mod_revision();
  changes.settings.push_back(SettingsChange{key.site, entry.record});
}

void CacheState::RemoveRequest(const ParsedKey& key, Changes& changes) {
  auto site = requests_.find(key.site);
  if (site == requests_.end()) return;
  auto existing = site->second.records.find(key.id);
  if (existing == site->second.records.end()) return;
  RecordPtr gone = std::move(existing->second.record);
  site->second.records.erase(existing);
  site->second.listed.Forget();
  site->second.orphans.erase(key.id);
  site->second.open_by_catalog.Remove(gone->request);
  expiry_.Remove(key.site, *gone);
  DropIfEmpty(site);
  changes.requests.push_back(
      RequestChange{key.site, RequestEvent::Type::kDeleted, std::move(gone)});
}

void CacheState::ApplyRequest(const ParsedKey& key, const mvccpb::KeyValue& kv, Changes& changes) {
  std::string writer;
  absl::StatusOr<NotificationRequestRecord> decoded = DecodeRequest(kv.value(), &writer);
  if (!decoded.ok()) {
    logging::Warning("etcd: skipping undecodable request", {{"key", kv.key()}});
    return;
  }
  NoteWriter(std::move(writer), kv.mod_revision(), changes);
  SiteRequests& site = requests_[key.site];
  auto existing = site.records.find(key.id);
  auto record = std::make_shared<const NotificationRequestRecord>(*std::move(decoded));
  const bool created = existing == site.records.end();
  if (!created) {
    site.open_by_catalog.Remove(existing->second.record->request);
    expiry_.Remove(key.site, *existing->second.record);
  }
  site.open_by_catalog.Add(record->request);
  expiry_.Add(key.site, *record);
  site.records[key.id] = RequestEntry{record, kv.mod_revision()};
  site.listed.Forget();
  UpdateOrphan(site, key.id, changes);
  changes.requests.push_back(
      RequestChange{key.site, created ? RequestEvent::Type::kCreated : RequestEvent::Type::kUpdated,
                    std::move(record)});
}

void CacheState::ApplyCounter(const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                              Changes& changes) {
  if (!deleted) NoteWriter(std::string(CounterWriter(kv.value())), kv.mod_revision(), changes);
  auto site = requests_.try_emplace(key.site).first;
  site->second.counter =
      deleted ? CounterEntry{}
              : CounterEntry{std::max<int64_t>(CounterCount(kv.value()), 0), kv.mod_revision()};
  DropIfEmpty(site);
}

void CacheState::ApplyClaim(const ParsedKey& key, bool deleted, Changes& changes) {
  auto site = requests_.try_emplace(key.site).first;
  if (deleted) {
    site->second.claims.erase(key.id);
  } else {
    site->second.claims.insert(key.id);
  }
  UpdateOrphan(site->second, key.id, changes);
  DropIfEmpty(site);
}

void CacheState::ApplyEmailTemplate(const ParsedKey& key, const mvccpb::KeyValue& kv, bool deleted,
                                    Changes& changes) {
  if (deleted) {
    email_templates_.erase(key.site);
    return;
  }
  std::string writer;
  absl::StatusOr<EmailTemplateRecord> record = DecodeEmailTemplate(kv.value(), &writer);
  if (!record.ok()) {
    logging::Warning("etcd: skipping undecodable email template", {{"key", kv.key()}});
    return;
  }
  NoteWriter(std::move(writer), kv.mod_revision(), changes);
  email_templates_[key.site] = EmailTemplateEntry{*std::move(record), kv.mod_revision()};
}

void CacheState::UpdateOrphan(SiteRequests& site, const std::string& id, Changes& changes) {
  auto record = site.records.find(id);
  const bool orphan =
      record != site.records.end() &&
      record->second.record->request.status() == v1::BackInStockNotificationRequest::PROCESSING &&
      !site.claims.contains(id);
  if (!orphan) {
    site.orphans.erase(id);
  } else if (site.orphans.insert(id).second) {
    changes.orphans = true;
  }
}

void CacheState::DropIfEmpty(RequestSites::iterator site) {
  const SiteRequests& requests = site->second;
  if (requests.records.empty() && requests.claims.empty() && requests.orphans.empty() &&
      requests.open_by_catalog.empty() && requests.counter.count == 0) {
    requests_.erase(site);
  }
}

std::optional<CacheState::SettingsEntry> CacheState::Settings(absl::string_view site) const {
  auto it = settings_.find(site);
  if (it == settings_.end()) return std::nullopt;
  return it->second;
}

std::optional<CacheState::RequestEntry> CacheState::Request(absl::string_view site,
                                                            absl::string_view id) const {
  auto s = requests_.find(site);
  if (s == requests_.end()) return std::nullopt;
  auto it = s->second.records.find(id);
  if (it == s->second.records.end()) return std::nullopt;
  return it->second;
}

CacheState::CounterEntry CacheState::Counter(absl::string_view site) const {
  auto s = requests_.find(site);
  return s == requests_.end() ? CounterEntry{} : s->second.counter;
}

std::optional<CacheState::EmailTemplateEntry> CacheState::EmailTemplate(
    absl::string_view site) const {
  auto it = email_templates_.find(site);
  if (it == email_templates_.end()) return std::nullopt;
  return it->second;
}

RecordList CacheState::Requests(absl::string_view site) const {
  auto s = requests_.find(site);
  if (s == requests_.end()) return EmptyRecordList();
  return s->second.listed.Get(s->second.records,
                              [](const RequestEntry& entry) { return entry.record; });
}

std::vector<int64_t> CacheState::CountOpen(absl::string_view site,
                                           const std::vector<std::string>& catalog_keys) const {
  auto s = requests_.find(site);
  if (s == requests_.end()) return std::vector<int64_t>(catalog_keys.size(), 0);
  return s->second.open_by_catalog.Count(catalog_keys);
}

std::vector<std::string> CacheState::OpenIds(absl::string_view site,
                                             absl::string_view catalog_key) const {
  auto s = requests_.find(site);
  if (s == requests_.end()) return {};
  return s->second.open_by_catalog.Ids(catalog_key);
}

std::vector<CacheState::Orphan> CacheState::Orphans() const {
  std::vector<Orphan> orphans;
  for (const auto& [site, requests] : requests_) {
    for (const std::string& id : requests.orphans) {
      orphans.push_back(Orphan{site, requests.records.at(id)});
    }
  }
  return orphans;
}

bool CacheState::HasClaim(absl::string_view site, absl::string_view id) const {
  auto s = requests_.find(site);
  return s != requests_.end() && s->second.claims.contains(id);
}

std::vector<ExpiredRequest> CacheState::ExpiredRequests(absl::Time received_before,
                                                        absl::Time settled_before,
                                                        size_t limit) const {
  std::vector<ExpiredRequest> expired;
  expiry_.Collect(received_before, settled_before, limit, expired);
  KeepMostOverdue(expired, limit);
  return expired;
}

}  // namespace backinstock::store::etcd
