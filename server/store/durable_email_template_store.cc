#include "server/store/durable_email_template_store.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "server/store/storage_unavailable.h"

namespace backinstock::store {

std::string DurableEmailTemplateStore::EncodeValue(const EmailTemplateRecord& record) {
  v1::EmailTemplate message = record.email_template;
  message.set_revision(record.revision);
  return message.SerializeAsString();
}

absl::StatusOr<EmailTemplateRecord> DurableEmailTemplateStore::DecodeValue(
    absl::string_view value) {
  EmailTemplateRecord record;
  if (!record.email_template.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("email template record does not parse");
  }
  record.revision = record.email_template.revision();
  if (record.revision < 1) return absl::DataLossError("email template record has no revision");
  return record;
}

absl::StatusOr<std::unique_ptr<DurableEmailTemplateStore>> DurableEmailTemplateStore::Open(
    const std::string& dir, journal::JournalOptions options) {
  std::unique_ptr<DurableEmailTemplateStore> store(new DurableEmailTemplateStore());
  DurableEmailTemplateStore* self = store.get();
  auto apply = [self](const journal::RecordView& record) -> absl::Status {
    if (record.type != journal::RecordType::kPut) {
      return absl::DataLossError("email template journal holds a record that is not a put");
    }
    absl::StatusOr<EmailTemplateRecord> decoded = DecodeValue(record.value);
    if (!decoded.ok()) return decoded.status();
    // Replay runs before anyone can read: records are set directly, and the
    // memory store checks that revisions only go forward.
    return self->memory_.Restore(record.key, *decoded);
  };
  absl::StatusOr<std::unique_ptr<journal::Journal>> journal =
      journal::Journal::Open(dir, std::move(options), apply);
  if (!journal.ok()) return journal.status();
  store->journal_ = *std::move(journal);
  return store;
}

absl::Mutex& DurableEmailTemplateStore::LockFor(absl::string_view site) {
  return site_locks_[absl::Hash<absl::string_view>{}(site) % kSiteLocks];
}

absl::StatusOr<EmailTemplateRecord> DurableEmailTemplateStore::Get(absl::string_view site) const {
  return memory_.Get(site);
}

absl::Status DurableEmailTemplateStore::DoCompareAndSwap(absl::string_view site,
                                                         int64_t expected_revision,
                                                         const EmailTemplateRecord& next) {
  absl::MutexLock lock(&LockFor(site));
  absl::StatusOr<EmailTemplateRecord> current = memory_.Get(site);
  if (!current.ok()) return current.status();
  if (current->revision != expected_revision) {
    return absl::AbortedError(absl::StrCat("email template of site ", site, " is at revision ",
                                           current->revision, ", not ", expected_revision));
  }
  if (absl::Status durable = journal_->Put(site, EncodeValue(next)); !durable.ok()) {
    return StorageUnavailable(durable);
  }
  // Cannot be refused: every write of this site holds the lock we hold.
  return memory_.CompareAndSwap(site, expected_revision, next);
}

}  // namespace backinstock::store
