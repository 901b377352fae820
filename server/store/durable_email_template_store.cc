#include "server/store/durable_email_template_store.h"

#include "absl/strings/str_cat.h"

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

DurableEmailTemplateStore::DurableEmailTemplateStore()
    : records_("email template", &EncodeValue, &DecodeValue, kSiteLocks) {}

absl::StatusOr<std::unique_ptr<DurableEmailTemplateStore>> DurableEmailTemplateStore::Open(
    const std::string& dir, journal::JournalOptions options) {
  std::unique_ptr<DurableEmailTemplateStore> store(new DurableEmailTemplateStore());
  if (absl::Status opened = store->records_.Open(dir, std::move(options)); !opened.ok()) {
    return opened;
  }
  return store;
}

absl::StatusOr<EmailTemplateRecord> DurableEmailTemplateStore::Get(absl::string_view site) const {
  return records_.memory().Get(site);
}

absl::Status DurableEmailTemplateStore::DoCompareAndSwap(absl::string_view site,
                                                         int64_t expected_revision,
                                                         const EmailTemplateRecord& next) {
  return records_.CompareAndSwap(site, expected_revision, next);
}

}  // namespace backinstock::store
