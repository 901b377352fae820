// Email templates in etcd: one key per site holding StoredEmailTemplate,
// written by transactions guarded on the key's mod_revision (absent for a
// site's first write), exactly as settings are; reads come from the replica's
// EtcdCache, which its watch keeps up with every replica's writes.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_ETCD_EMAIL_TEMPLATE_STORE_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_ETCD_EMAIL_TEMPLATE_STORE_H_

#include "server/store/email_template_store.h"
#include "server/store/etcd/committer.h"
#include "server/store/etcd/etcd_cache.h"
#include "server/store/etcd/etcd_client.h"
#include "server/store/etcd/site_record_writes.h"

namespace backinstock::store::etcd {

class EtcdEmailTemplateStore final : public EmailTemplateStore {
 public:
  EtcdEmailTemplateStore(const EtcdClient* client, EtcdCache* cache, Committer* committer);

  absl::StatusOr<EmailTemplateRecord> Get(absl::string_view site) const override;
  // One fence write (EtcdClient::WriteFence), then a wait (at most 1 s) for
  // the cache to apply it; UNAVAILABLE when either fails.
  absl::Status CatchUp() const override;

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const EmailTemplateRecord& next) override;

  EtcdCache* cache_;
  SiteRecordWrites writes_;
};

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_ETCD_EMAIL_TEMPLATE_STORE_H_
