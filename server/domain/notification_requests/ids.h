// The identifiers the server assigns: random request ids and name-based
// contact ids, both in the canonical lower-case 8-4-4-4-12 UUID form.
#ifndef BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_IDS_H_
#define BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_IDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backinstock::domain {

// A random (version 4) UUID from OpenSSL's CSPRNG. Fails only if the CSPRNG
// does.
absl::StatusOr<std::string> NewRequestId();

// The contact id of an email on a site: a name-based (version 5, SHA-1) UUID of
// "<site>:<email in lower case>" in this service's namespace, so the same
// customer has the same contact id on every request of a site, and different
// sites never share one. `site` cannot contain ':' so the name is unambiguous.
std::string ContactId(absl::string_view site, absl::string_view email);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_IDS_H_
