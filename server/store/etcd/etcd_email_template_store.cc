#include "server/store/etcd/etcd_email_template_store.h"

#include "server/store/etcd/email_template_codec.h"
#include "server/store/etcd/keys.h"

namespace backinstock::store::etcd {

namespace {

absl::StatusOr<int64_t> StoredTemplateRevision(absl::string_view value) {
  absl::StatusOr<EmailTemplateRecord> record = DecodeEmailTemplate(value, nullptr);
  if (!record.ok()) return record.status();
  return record->revision;
}

}  // namespace

EtcdEmailTemplateStore::EtcdEmailTemplateStore(const EtcdClient* client, EtcdCache* cache,
                                               Committer* committer)
    : cache_(cache), writes_(client, cache, committer, "email template", &StoredTemplateRevision) {}

absl::StatusOr<EmailTemplateRecord> EtcdEmailTemplateStore::Get(absl::string_view site) const {
  auto entry = cache_->EmailTemplate(site);
  return entry ? entry->record : EmailTemplateRecord{};
}

absl::Status EtcdEmailTemplateStore::CatchUp() const { return writes_.FenceAndCatchUp(); }

absl::Status EtcdEmailTemplateStore::DoCompareAndSwap(absl::string_view site,
                                                      int64_t expected_revision,
                                                      const EmailTemplateRecord& next) {
  std::optional<SiteRecordWrites::Cached> cached;
  if (auto entry = cache_->EmailTemplate(site)) {
    cached = SiteRecordWrites::Cached{entry->record.revision, entry->mod_revision};
  }
  return writes_.CompareAndSwap(
      site, EmailTemplateKey(site), cached, expected_revision,
      [&next](absl::string_view writer) { return EncodeEmailTemplate(next, writer); });
}

}  // namespace backinstock::store::etcd
