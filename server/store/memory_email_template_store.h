// The in-memory email template store: sharded by site, safe for concurrent
// use. Templates are read on every email API call and written rarely.
#ifndef BACKINSTOCK_SERVER_STORE_MEMORY_EMAIL_TEMPLATE_STORE_H_
#define BACKINSTOCK_SERVER_STORE_MEMORY_EMAIL_TEMPLATE_STORE_H_

#include <array>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "server/store/email_template_store.h"

namespace backinstock::store {

class MemoryEmailTemplateStore final : public EmailTemplateStore {
 public:
  absl::StatusOr<EmailTemplateRecord> Get(absl::string_view site) const override;

  // Number of sites with a stored template.
  size_t SiteCount() const;

  // Sets the site's record whatever revision it jumps from: for a durable
  // store replaying its journal before anyone reads. The revision must go
  // forward (DATA_LOSS otherwise).
  absl::Status Restore(absl::string_view site, const EmailTemplateRecord& record);

 private:
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const EmailTemplateRecord& next) override;

  struct Shard {
    mutable absl::Mutex mu;
    absl::flat_hash_map<std::string, EmailTemplateRecord> sites ABSL_GUARDED_BY(mu);
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(absl::string_view site) const;

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_MEMORY_EMAIL_TEMPLATE_STORE_H_
