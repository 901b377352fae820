// A site's email template as an etcd value (email_template_records.proto),
// with the nonce of the write.
#ifndef BACKINSTOCK_SERVER_STORE_ETCD_EMAIL_TEMPLATE_CODEC_H_
#define BACKINSTOCK_SERVER_STORE_ETCD_EMAIL_TEMPLATE_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/store/email_template_store.h"

namespace backinstock::store::etcd {

std::string EncodeEmailTemplate(const EmailTemplateRecord& record, absl::string_view writer);
// Returns the writer nonce through `writer` when it is not null.
absl::StatusOr<EmailTemplateRecord> DecodeEmailTemplate(absl::string_view value,
                                                        std::string* writer);

}  // namespace backinstock::store::etcd

#endif  // BACKINSTOCK_SERVER_STORE_ETCD_EMAIL_TEMPLATE_CODEC_H_
