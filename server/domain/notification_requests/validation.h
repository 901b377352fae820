// Validation of everything a caller sends to the notification request service.
// Each failure is INVALID_ARGUMENT with a BadRequest naming the field by its
// path in the request message (for example
// "request.catalog_reference.catalog_item_id").
#ifndef BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_VALIDATION_H_
#define BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "google/protobuf/map.h"

namespace backinstock::domain {

// Limits beyond the API contract's, chosen so that one request stays small.
inline constexpr size_t kMaxCatalogItemIdLength = 36;  // notification_requests.proto
inline constexpr size_t kMaxOptionsBytes = 2048;       // serialised options Struct
inline constexpr size_t kMaxEmailLength = 254;         // RFC 5321 path limit
inline constexpr size_t kMaxUrlLength = 2048;
inline constexpr size_t kMaxItemNameLength = 512;
inline constexpr size_t kMaxPriceLength = 32;
inline constexpr size_t kMaxImageTextLength = 1024;
inline constexpr int kMaxTemplateParameters = 50;
inline constexpr size_t kMaxTemplateKeyLength = 100;
inline constexpr size_t kMaxTemplateValueLength = 4096;

// `email` as an address: local@domain, dot-atom local part (at most 64
// bytes), a domain of at least two dot-separated labels of letters, digits
// and hyphens. Bytes >= 0x80 (internationalised addresses) are accepted in
// both parts.
bool IsValidEmail(absl::string_view email);

// An absolute http or https URL with a host and no whitespace or control
// characters.
bool IsHttpUrl(absl::string_view url);

// A decimal number >= 0 written with digits and at most one '.', such as "0",
// "19.99" (no sign, no exponent).
bool IsDecimalPrice(absl::string_view price);

// Where a message sits in a request, for error messages: `name`, or
// `name[index]` when index >= 0. Only formatted when an error names a field,
// so that checking a valid request builds no strings.
struct FieldPath {
  // Implicit, so that a plain path ("request.catalog_reference") reads as one.
  FieldPath(const char* name) : name(name), index(-1) {}                           // NOLINT
  FieldPath(absl::string_view name, int index = -1) : name(name), index(index) {}  // NOLINT
  absl::string_view name;
  int index;
};

// Checks a catalog reference and returns it normalised (app id in lower
// case). `path` is the reference's field path, e.g. "request.catalog_reference".
absl::StatusOr<v1::CatalogReference> NormalizeCatalogReference(
    const v1::CatalogReference& reference, FieldPath path);

// Checks a catalog reference as NormalizeCatalogReference does and returns the
// key the store indexes it by (store::CatalogKey of the normalised reference),
// without copying the reference.
absl::StatusOr<std::string> CatalogKeyOf(const v1::CatalogReference& reference, FieldPath path);

// Checks item details; `path` is their field path, e.g. "item_details".
absl::Status ValidateItemDetails(const v1::BackInStockItemDetails& details, absl::string_view path);

// Checks a Create call and returns the new request's caller-supplied fields,
// normalised (output-only fields are dropped).
absl::StatusOr<v1::BackInStockNotificationRequest> ValidateCreate(
    const v1::CreateBackInStockNotificationRequestRequest& create);

// Checks a Report call's shape: exactly one target, item details, ids (1 to
// 100, non-empty), template parameters.
absl::Status ValidateReport(const v1::ReportItemsBackInStockRequest& report);

// Checks extra_automation_template_parameters (of a report or an email
// preview): at most 50, names of 1 to 100 characters, values of at most 4 KiB.
absl::Status ValidateTemplateParameters(
    const google::protobuf::Map<std::string, std::string>& parameters);

// Checks a request id argument ("id" is its field path): required.
absl::Status ValidateIdArgument(absl::string_view id);

}  // namespace backinstock::domain

#endif  // BACKINSTOCK_SERVER_DOMAIN_NOTIFICATION_REQUESTS_VALIDATION_H_
