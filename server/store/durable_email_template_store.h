// The email template store with a data directory: MemoryEmailTemplateStore
// for reads, a journal of its own (<data_dir>/email_templates) for
// durability. As with settings, a CompareAndSwap returns OK only once its
// record is fsync'ed, and only then do readers see it; a restart replays the
// journal (and its snapshots) and so restores every acknowledged template.
//
// On disk: one kPut record per committed write, key = site, value = the
// whole template as a serialized v1.EmailTemplate whose `revision` is the
// record's.
#ifndef BACKINSTOCK_SERVER_STORE_DURABLE_EMAIL_TEMPLATE_STORE_H_
#define BACKINSTOCK_SERVER_STORE_DURABLE_EMAIL_TEMPLATE_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/email_template_store.h"
#include "server/store/journal/journal.h"
#include "server/store/journaled_site_records.h"
#include "server/store/memory_email_template_store.h"

namespace backinstock::store {

class DurableEmailTemplateStore final : public EmailTemplateStore {
 public:
  // Opens the journal in `dir` and replays it. Fails (DATA_LOSS naming file
  // and offset) on a damaged snapshot or journal.
  static absl::StatusOr<std::unique_ptr<DurableEmailTemplateStore>> Open(
      const std::string& dir, journal::JournalOptions options = {});

  absl::StatusOr<EmailTemplateRecord> Get(absl::string_view site) const override;

  size_t SiteCount() const { return records_.memory().SiteCount(); }
  journal::Journal& journal() { return records_.journal(); }

  // The journal value of a record, and back.
  static std::string EncodeValue(const EmailTemplateRecord& record);
  static absl::StatusOr<EmailTemplateRecord> DecodeValue(absl::string_view value);

 private:
  // UNAVAILABLE (reason STORAGE_UNAVAILABLE) when the record cannot be made
  // durable; the write then has no visible effect.
  absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                const EmailTemplateRecord& next) override;

  DurableEmailTemplateStore();

  // Template writes are rare, so a few stripes suffice.
  static constexpr size_t kSiteLocks = 256;

  JournaledSiteRecords<EmailTemplateRecord, MemoryEmailTemplateStore> records_;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_DURABLE_EMAIL_TEMPLATE_STORE_H_
