// The email template rules (proto/backinstock/v1/email.proto): the default template for a site that
// never changed it, updates by field mask with optimistic concurrency, and a
// revision that moves only on a real change. Pure logic over an
// EmailTemplateStore; no gRPC types.
#ifndef BACKINSTOCK_SERVER_DOMAIN_EMAIL_TEMPLATE_MANAGER_H_
#define BACKINSTOCK_SERVER_DOMAIN_EMAIL_TEMPLATE_MANAGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backinstock/v1/email.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "server/store/email_template_store.h"

namespace backinstock::domain {

// An update as the caller sent it.
struct EmailTemplateUpdate {
  v1::EmailTemplate email_template;  // only the masked fields are read
  google::protobuf::FieldMask update_mask;
  int64_t expected_revision = 0;  // 0: no revision check
};

class EmailTemplateManager {
 public:
  explicit EmailTemplateManager(store::EmailTemplateStore* store) : store_(store) {}

  // The site's template: the stored one, or the default with revision 0.
  absl::StatusOr<v1::EmailTemplate> Get(absl::string_view site) const;

  // Applies the masked fields onto the stored template and stores the result
  // when it differs (revision + 1); an update that changes nothing answers
  // the stored template as it is.
  // INVALID_ARGUMENT: an empty mask, a path that is not an updatable field
  // (BadRequest on `update_mask`), or a result that fails
  // email::ValidateEmailTemplate (BadRequest on `template.<field>`).
  // ABORTED, reason REVISION_MISMATCH: `expected_revision` is not 0 and not
  // the stored revision.
  absl::StatusOr<v1::EmailTemplate> Update(absl::string_view site,
                                           const EmailTemplateUpdate& update);

 private:
  store::EmailTemplateStore* store_;
};

// The template fields an update mask may name, by proto field number, in
// mask order; INVALID_ARGUMENT (BadRequest on `update_mask`) for an empty
// mask or a path that is neither a proto nor a JSON name of an updatable
// EmailTemplate field (`revision` is output only).
absl::StatusOr<std::vector<int>> ParseEmailTemplateMask(const google::protobuf::FieldMask& mask);

// A validation error of a template field, renamed from "<field>" to
// "<prefix>.<field>" in its BadRequest and ErrorInfo metadata; other
// statuses are returned unchanged.
absl::Status PrefixFieldViolations(absl::Status status, absl::string_view prefix);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_EMAIL_TEMPLATE_MANAGER_H_
