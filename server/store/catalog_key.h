// The identity of a catalog reference as the store indexes it: item id, app id
// and options, with the options in a canonical form so that two references
// that say the same thing get the same key whatever order their JSON keys came
// in.
#ifndef BACKINSTOCK_SERVER_STORE_CATALOG_KEY_H_
#define BACKINSTOCK_SERVER_STORE_CATALOG_KEY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "backinstock/v1/notification_requests.pb.h"

namespace backinstock::store {

// A printable key (64 lower-case hex digits: SHA-256 of the canonical
// encoding), short and safe to embed in a backend's index keys. `reference`
// must already be normalised (app id in lower case).
std::string CatalogKey(const v1::CatalogReference& reference);

// The same from the reference's parts (`options` null when it has none), for
// callers that validated a reference without copying it.
std::string CatalogKey(absl::string_view item_id, absl::string_view app_id,
                       const google::protobuf::Struct* options);

// The key that makes an open request unique: catalog key and lower-cased email.
std::string OpenRequestKey(absl::string_view catalog_key, absl::string_view lower_email);

// The open request key of `request` (its catalog reference and email), as
// every store computes it.
std::string OpenRequestKeyOf(const v1::BackInStockNotificationRequest& request);

// Both keys of `request` from one SHA-256 of its catalog reference, for a
// writer that indexes it by both.
struct OpenRequestKeys {
  std::string catalog;  // CatalogKey
  std::string open;     // OpenRequestKey
};
OpenRequestKeys OpenRequestKeysOf(const v1::BackInStockNotificationRequest& request);

// 64 lower-case hex digits: the SHA-256 of `bytes`.
std::string Sha256Hex(absl::string_view bytes);

}  // namespace backinstock::store

#endif  // BACKINSTOCK_SERVER_STORE_CATALOG_KEY_H_
