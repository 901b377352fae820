#include "server/auth/permissions.h"

#include <gtest/gtest.h>

namespace backinstock::auth {
namespace {

TEST(Permissions, RoleTable) {
  const absl::string_view all[] = {kSettingsRead, kSettingsModify, kRequestsCreate,
                                   kRequestsRead, kRequestsModify, kEmailManage};
  for (Role role : {Role::kUser, Role::kApp}) {
    for (absl::string_view p : all) EXPECT_TRUE(RoleHolds(role, p)) << RoleName(role) << " " << p;
  }
  for (Role role : {Role::kVisitor, Role::kMember}) {
    EXPECT_TRUE(RoleHolds(role, kSettingsRead));
    EXPECT_TRUE(RoleHolds(role, kRequestsCreate));
    EXPECT_FALSE(RoleHolds(role, kSettingsModify));
    EXPECT_FALSE(RoleHolds(role, kRequestsRead));
    EXPECT_FALSE(RoleHolds(role, kRequestsModify));
    EXPECT_FALSE(RoleHolds(role, kEmailManage));
  }
  EXPECT_FALSE(RoleHolds(Role::kUser, "ECOM.SOMETHING_ELSE"));
  EXPECT_FALSE(RoleHolds(Role::kUser, ""));
}

TEST(Permissions, RolesParseExactly) {
  EXPECT_EQ(ParseRole("visitor"), Role::kVisitor);
  EXPECT_EQ(ParseRole("member"), Role::kMember);
  EXPECT_EQ(ParseRole("user"), Role::kUser);
  EXPECT_EQ(ParseRole("app"), Role::kApp);
  EXPECT_FALSE(ParseRole("User").has_value());
  EXPECT_FALSE(ParseRole(" user").has_value());
  EXPECT_FALSE(ParseRole("admin").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
}

}  // namespace
}  // namespace backinstock::auth
