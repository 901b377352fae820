// Where each site's email template lives. The same shape as SettingsStore: a
// versioned record per site written by compare-and-swap, so that every backend
// (memory, a journal, etcd) can offer it and the domain can retry a lost race.
#ifndef BACKINSTOCK_SERVER_STORE_EMAIL_TEMPLATE_STORE_H_
#define BACKINSTOCK_SERVER_STORE_EMAIL_TEMPLATE_STORE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backinstock/v1/email.pb.h"
#include "server/store/revision_precondition.h"

namespace backinstock::store {

// A site's stored template.
struct EmailTemplateRecord {
  // 0 for a site that never stored a template (then `email_template` is
  // empty and the domain shows the default); every committed write adds
  // exactly one. Both the caller-visible revision and the compare-and-swap
  // version.
  int64_t revision = 0;
  // Every field as stored; its own `revision` field is ignored by the store.
  v1::EmailTemplate email_template;
};

class EmailTemplateStore {
 public:
  virtual ~EmailTemplateStore() = default;

  // The site's record (revision 0 when never written).
  virtual absl::StatusOr<EmailTemplateRecord> Get(absl::string_view site) const = 0;

  // Stores `next` for `site` if, and only if, the stored revision is still
  // `expected_revision`; `next.revision` must be `expected_revision + 1`
  // (INVALID_ARGUMENT otherwise, checked here once for every backend).
  // ABORTED when another write got there first (re-read and try again).
  absl::Status CompareAndSwap(absl::string_view site, int64_t expected_revision,
                              const EmailTemplateRecord& next) {
    if (absl::Status follows = CheckRevisionFollows(expected_revision, next.revision);
        !follows.ok()) {
      return follows;
    }
    return DoCompareAndSwap(site, expected_revision, next);
  }

  // Brings this process's view up to everything committed before the call
  // (see SettingsStore::CatchUp): called before refusing an update on a
  // revision this replica may not have seen yet.
  virtual absl::Status CatchUp() const { return absl::OkStatus(); }

 private:
  // CompareAndSwap once `next.revision == expected_revision + 1` is known.
  virtual absl::Status DoCompareAndSwap(absl::string_view site, int64_t expected_revision,
                                        const EmailTemplateRecord& next) = 0;
};

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_EMAIL_TEMPLATE_STORE_H_
