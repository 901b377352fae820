#include "server/store/memory_email_template_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace backinstock::store {

MemoryEmailTemplateStore::Shard& MemoryEmailTemplateStore::ShardFor(absl::string_view site) const {
  return shards_[absl::Hash<absl::string_view>{}(site) % kShards];
}

absl::StatusOr<EmailTemplateRecord> MemoryEmailTemplateStore::Get(absl::string_view site) const {
  Shard& shard = ShardFor(site);
  absl::ReaderMutexLock lock(&shard.mu);
  auto it = shard.sites.find(site);
  if (it == shard.sites.end()) return EmailTemplateRecord{};
  return it->second;
}

absl::Status MemoryEmailTemplateStore::DoCompareAndSwap(absl::string_view site,
                                                        int64_t expected_revision,
                                                        const EmailTemplateRecord& next) {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.sites.find(site);
  const int64_t stored = it == shard.sites.end() ? 0 : it->second.revision;
  if (stored != expected_revision) {
    return absl::AbortedError(absl::StrCat("email template of site ", site, " is at revision ",
                                           stored, ", not ", expected_revision));
  }
  if (it == shard.sites.end()) {
    shard.sites.emplace(site, next);
  } else {
    it->second = next;
  }
  return absl::OkStatus();
}

absl::Status MemoryEmailTemplateStore::Restore(absl::string_view site,
                                               const EmailTemplateRecord& record) {
  Shard& shard = ShardFor(site);
  absl::MutexLock lock(&shard.mu);
  auto it = shard.sites.find(site);
  const int64_t previous = it == shard.sites.end() ? 0 : it->second.revision;
  if (record.revision <= previous) {
    return absl::DataLossError(absl::StrCat("email template of site ", site, " goes from revision ",
                                            previous, " back to ", record.revision));
  }
  shard.sites.insert_or_assign(std::string(site), record);
  return absl::OkStatus();
}

size_t MemoryEmailTemplateStore::SiteCount() const {
  size_t count = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    count += shard.sites.size();
  }
  return count;
}

}  // namespace backinstock::store
