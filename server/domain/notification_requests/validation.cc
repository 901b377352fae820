#include "server/domain/notification_requests/validation.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "server/domain/guid.h"
#include "server/store/catalog_key.h"

namespace backinstock::domain {
namespace {

constexpr size_t kMaxRequestIds = 100;

bool IsAtext(unsigned char c) {
  if (c >= 0x80) return true;
  if (absl::ascii_isalnum(c)) return true;
  return absl::string_view("!#$%&'*+/=?^_`{|}~-").find(static_cast<char>(c)) !=
         absl::string_view::npos;
}

bool IsDomainLabel(absl::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (unsigned char c : label) {
    if (!(c >= 0x80 || absl::ascii_isalnum(c) || c == '-')) return false;
  }
  return true;
}

std::string Path(absl::string_view prefix, absl::string_view field) {
  return absl::StrCat(prefix, ".", field);
}

std::string Path(FieldPath path, absl::string_view field) {
  if (path.index < 0) return Path(path.name, field);
  return absl::StrCat(path.name, "[", path.index, "].", field);
}

// The checks of a catalog reference; its app id, normalised, goes to
// `app_id` (kGuidLength bytes).
absl::Status CheckCatalogReference(const v1::CatalogReference& reference, FieldPath path,
                                   char* app_id) {
  const std::string& item_id = reference.catalog_item_id();
  if (item_id.empty()) {
    return errors::InvalidField(Path(path, "catalog_item_id"), "catalog_item_id is required");
  }
  if (item_id.size() > kMaxCatalogItemIdLength) {
    return errors::InvalidField(Path(path, "catalog_item_id"),
                                absl::StrCat("catalog_item_id has ", item_id.size(),
                                             " characters; at most 36 are allowed"));
  }
  if (reference.app_id().empty()) {
    return errors::InvalidField(Path(path, "app_id"), "app_id is required");
  }
  if (!NormalizeGuidTo(reference.app_id(), app_id)) {
    return errors::InvalidField(
        Path(path, "app_id"),
        absl::StrCat(errors::Quoted(reference.app_id()), " is not a GUID (8-4-4-4-12 hex digits)"));
  }
  if (reference.has_options() && reference.options().ByteSizeLong() > kMaxOptionsBytes) {
    return errors::InvalidField(Path(path, "options"),
                                absl::StrCat("options take ", reference.options().ByteSizeLong(),
                                             " bytes; at most ", kMaxOptionsBytes, " are allowed"));
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidEmail(absl::string_view email) {
  if (email.size() > kMaxEmailLength) return false;
  const size_t at = email.rfind('@');
  if (at == absl::string_view::npos) return false;
  const absl::string_view local = email.substr(0, at);
  const absl::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > 64) return false;
  // Dot-atom: atext runs separated by single dots.
  for (absl::string_view atom : absl::StrSplit(local, '.')) {
    if (atom.empty()) return false;
    for (unsigned char c : atom) {
      if (!IsAtext(c)) return false;
    }
  }
  std::vector<absl::string_view> labels = absl::StrSplit(domain, '.');
  if (labels.size() < 2) return false;
  for (absl::string_view label : labels) {
    if (!IsDomainLabel(label)) return false;
  }
  return true;
}

bool IsHttpUrl(absl::string_view url) {
  if (url.size() > kMaxUrlLength) return false;
  absl::string_view rest;
  if (absl::StartsWithIgnoreCase(url, "https://")) {
    rest = url.substr(8);
  } else if (absl::StartsWithIgnoreCase(url, "http://")) {
    rest = url.substr(7);
  } else {
    return false;
  }
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  const size_t host_end = rest.find_first_of("/?#");
  const absl::string_view authority = rest.substr(0, host_end);
  // The host is what follows any user info; it must not be empty.
  const absl::string_view host = authority.substr(authority.rfind('@') + 1);
  return !host.empty() && host.front() != ':';
}

bool IsDecimalPrice(absl::string_view price) {
  if (price.empty() || price.size() > kMaxPriceLength) return false;
  const size_t dot = price.find('.');
  const absl::string_view whole = price.substr(0, dot);
  const absl::string_view fraction =
      dot == absl::string_view::npos ? absl::string_view() : price.substr(dot + 1);
  if (whole.empty()) return false;
  if (dot != absl::string_view::npos && fraction.empty()) return false;
  for (absl::string_view part : {whole, fraction}) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

absl::StatusOr<v1::CatalogReference> NormalizeCatalogReference(
    const v1::CatalogReference& reference, FieldPath path) {
  char app_id[kGuidLength];
  if (absl::Status checked = CheckCatalogReference(reference, path, app_id); !checked.ok()) {
    return checked;
  }
  v1::CatalogReference normalized = reference;
  normalized.set_app_id(app_id, kGuidLength);
  return normalized;
}

absl::StatusOr<std::string> CatalogKeyOf(const v1::CatalogReference& reference, FieldPath path) {
  char app_id[kGuidLength];
  if (absl::Status checked = CheckCatalogReference(reference, path, app_id); !checked.ok()) {
    return checked;
  }
  return store::CatalogKey(reference.catalog_item_id(), absl::string_view(app_id, kGuidLength),
                           reference.has_options() ? &reference.options() : nullptr);
}

absl::Status ValidateItemDetails(const v1::BackInStockItemDetails& details,
                                 absl::string_view path) {
  if (details.name().empty()) return errors::InvalidField(Path(path, "name"), "name is required");
  if (details.name().size() > kMaxItemNameLength) {
    return errors::InvalidField(Path(path, "name"),
                                absl::StrCat("name is longer than ", kMaxItemNameLength, " bytes"));
  }
  if (details.price().empty()) {
    return errors::InvalidField(Path(path, "price"), "price is required");
  }
  if (!IsDecimalPrice(details.price())) {
    return errors::InvalidField(Path(path, "price"),
                                absl::StrCat(errors::Quoted(details.price()),
                                             " is not a decimal number >= 0 such as \"19.99\""));
  }
  if (details.has_image()) {
    const v1::Image& image = details.image();
    if (!IsHttpUrl(image.url())) {
      return errors::InvalidField(
          Path(path, "image.url"),
          absl::StrCat(errors::Quoted(image.url()), " is not an http or https URL"),
          "INVALID_ITEM_IMAGE_URL");
    }
    if (image.alt_text().size() > kMaxImageTextLength) {
      return errors::InvalidField(
          Path(path, "image.alt_text"),
          absl::StrCat("alt_text is longer than ", kMaxImageTextLength, " bytes"));
    }
    if (image.width() < 0) {
      return errors::InvalidField(Path(path, "image.width"), "width must not be negative");
    }
    if (image.height() < 0) {
      return errors::InvalidField(Path(path, "image.height"), "height must not be negative");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::BackInStockNotificationRequest> ValidateCreate(
    const v1::CreateBackInStockNotificationRequestRequest& create) {
  if (!create.has_request()) return errors::InvalidField("request", "request is required");
  const v1::BackInStockNotificationRequest& given = create.request();
  if (!given.has_catalog_reference()) {
    return errors::InvalidField("request.catalog_reference", "catalog_reference is required");
  }
  absl::StatusOr<v1::CatalogReference> reference =
      NormalizeCatalogReference(given.catalog_reference(), "request.catalog_reference");
  if (!reference.ok()) return reference.status();
  if (given.email().empty()) return errors::InvalidField("request.email", "email is required");
  if (!IsValidEmail(given.email())) {
    return errors::InvalidField(
        "request.email", absl::StrCat(errors::Quoted(given.email()), " is not an email address"));
  }
  if (!given.item_url().empty() && !IsHttpUrl(given.item_url())) {
    return errors::InvalidField("request.item_url", absl::StrCat(errors::Quoted(given.item_url()),
                                                                 " is not an http or https URL"));
  }
  if (!create.has_item_details()) {
    return errors::InvalidField("item_details", "item_details is required");
  }
  if (absl::Status details = ValidateItemDetails(create.item_details(), "item_details");
      !details.ok()) {
    return details;
  }

  v1::BackInStockNotificationRequest request;
  *request.mutable_catalog_reference() = *std::move(reference);
  request.set_email(given.email());
  request.set_item_url(given.item_url());
  return request;
}

absl::Status ValidateReport(const v1::ReportItemsBackInStockRequest& report) {
  const bool by_reference = report.has_catalog_reference();
  const bool by_ids = report.request_ids_size() > 0;
  if (by_reference && by_ids) {
    return errors::Error(absl::StatusCode::kInvalidArgument,
                         "REQUEST_CONTAINS_BOTH_CATALOG_REFERENCE_AND_REQUEST_IDS",
                         "give either catalog_reference or request_ids, not both");
  }
  if (!by_reference && !by_ids) {
    return errors::InvalidField("catalog_reference",
                                "give either catalog_reference or request_ids");
  }
  if (!report.has_item_details()) {
    return errors::InvalidField("item_details", "item_details is required");
  }
  if (absl::Status details = ValidateItemDetails(report.item_details(), "item_details");
      !details.ok()) {
    return details;
  }
  if (by_reference) {
    absl::StatusOr<v1::CatalogReference> reference =
        NormalizeCatalogReference(report.catalog_reference(), "catalog_reference");
    if (!reference.ok()) return reference.status();
  }
  if (static_cast<size_t>(report.request_ids_size()) > kMaxRequestIds) {
    return errors::InvalidField(
        "request_ids", absl::StrCat(report.request_ids_size(), " ids given; at most 100 per call"));
  }
  for (int i = 0; i < report.request_ids_size(); ++i) {
    if (report.request_ids(i).empty()) {
      return errors::InvalidField(absl::StrCat("request_ids[", i, "]"), "an id must not be empty");
    }
  }
  return ValidateTemplateParameters(report.extra_automation_template_parameters());
}

absl::Status ValidateTemplateParameters(
    const google::protobuf::Map<std::string, std::string>& parameters) {
  if (parameters.size() > static_cast<size_t>(kMaxTemplateParameters)) {
    return errors::InvalidField("extra_automation_template_parameters",
                                absl::StrCat(parameters.size(), " parameters given; at most ",
                                             kMaxTemplateParameters, " are allowed"));
  }
  for (const auto& [key, value] : parameters) {
    // The key is the caller's: bounded in the field path.
    const std::string field = absl::StrCat("extra_automation_template_parameters[",
                                           key.size() <= 64 ? key : key.substr(0, 64) + "...", "]");
    if (key.empty() || key.size() > kMaxTemplateKeyLength) {
      return errors::InvalidField(field, "a parameter name has 1 to 100 characters");
    }
    if (value.size() > kMaxTemplateValueLength) {
      return errors::InvalidField(
          field, absl::StrCat("a parameter value has at most ", kMaxTemplateValueLength, " bytes"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateIdArgument(absl::string_view id) {
  if (id.empty()) return errors::InvalidField("id", "id is required");
  return absl::OkStatus();
}

}  // namespace backinstock::domain
