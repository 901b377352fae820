#include "server/auth/permissions.h"

namespace backinstock::auth {

std::optional<Role> ParseRole(absl::string_view name) {
  if (name == "visitor") return Role::kVisitor;
  if (name == "member") return Role::kMember;
  if (name == "user") return Role::kUser;
  if (name == "app") return Role::kApp;
  return std::nullopt;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kVisitor:
      return "visitor";
    case Role::kMember:
      return "member";
    case Role::kUser:
      return "user";
    case Role::kApp:
      return "app";
  }
  return "unknown";
}

bool IsKnownPermission(absl::string_view permission) {
  return permission == kSettingsRead || permission == kSettingsModify ||
         permission == kRequestsCreate || permission == kRequestsRead ||
         permission == kRequestsModify || permission == kEmailManage;
}

bool RoleHolds(Role role, absl::string_view permission) {
  if (!IsKnownPermission(permission)) return false;
  switch (role) {
    case Role::kUser:
    case Role::kApp:
      return true;
    case Role::kVisitor:
    case Role::kMember:
      return permission == kSettingsRead || permission == kRequestsCreate;
  }
  return false;
}

}  // namespace backinstock::auth
