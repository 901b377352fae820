// Permission names and which roles hold them (docs/decisions.md, "Identity and
// elevation"; each method names its permission in the proto).
#ifndef BACKINSTOCK_SERVER_AUTH_PERMISSIONS_H_
#define BACKINSTOCK_SERVER_AUTH_PERMISSIONS_H_

#include <optional>

#include "absl/strings/string_view.h"

namespace backinstock::auth {

inline constexpr absl::string_view kSettingsRead = "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_SETTINGS";
inline constexpr absl::string_view kSettingsModify =
    "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS";
inline constexpr absl::string_view kRequestsCreate =
    "ECOM.CREATE_BACK_IN_STOCK_NOTIFICATION_REQUESTS";
inline constexpr absl::string_view kRequestsRead = "ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS";
inline constexpr absl::string_view kRequestsModify =
    "ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS";
inline constexpr absl::string_view kEmailManage = "ECOM.MANAGE_BACK_IN_STOCK_EMAIL";

// The caller's role, from the identity token's `role` claim.
enum class Role { kVisitor, kMember, kUser, kApp };

// "visitor" -> kVisitor, ...; nullopt for anything else (compared exactly).
std::optional<Role> ParseRole(absl::string_view name);
absl::string_view RoleName(Role role);

// True for the six permission names above.
bool IsKnownPermission(absl::string_view permission);

// Whether `role` holds `permission` without elevation: visitors and members
// hold SETTINGS_READ and REQUESTS_CREATE; users and apps hold all six
// (EMAIL_MANAGE included: the email is the site owner's to design).
bool RoleHolds(Role role, absl::string_view permission);

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_PERMISSIONS_H_
