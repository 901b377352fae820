#include "server/store/etcd/email_template_codec.h"

#include "server/store/etcd/email_template_records.pb.h"

namespace backinstock::store::etcd {

std::string EncodeEmailTemplate(const EmailTemplateRecord& record, absl::string_view writer) {
  StoredEmailTemplate stored;
  stored.set_revision(record.revision);
  *stored.mutable_template_() = record.email_template;
  stored.mutable_template_()->set_revision(record.revision);
  stored.set_writer(std::string(writer));
  return stored.SerializeAsString();
}

absl::StatusOr<EmailTemplateRecord> DecodeEmailTemplate(absl::string_view value,
                                                        std::string* writer) {
  StoredEmailTemplate stored;
  if (!stored.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError("etcd: undecodable email template value");
  }
  if (stored.revision() < 1) return absl::DataLossError("etcd: email template without revision");
  EmailTemplateRecord record;
  record.revision = stored.revision();
  record.email_template = std::move(*stored.mutable_template_());
  record.email_template.set_revision(record.revision);
  if (writer != nullptr) *writer = stored.writer();
  return record;
}

}  // namespace backinstock::store::etcd
