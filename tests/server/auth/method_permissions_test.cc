// The permission table comes from the proto descriptors. These tests walk the
// descriptors independently and check that every method of every service is
// covered: gated, with a known permission.
#include "server/auth/method_permissions.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "google/protobuf/descriptor.h"
#include "server/auth/permissions.h"

namespace backinstock::auth {
namespace {

std::vector<const google::protobuf::MethodDescriptor*> AllMethods() {
  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const auto* file : {v1::GetSettingsRequest::descriptor()->file(),
                           v1::GetBackInStockNotificationRequestRequest::descriptor()->file(),
                           v1::GetEmailTemplateRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        methods.push_back(file->service(s)->method(m));
      }
    }
  }
  return methods;
}

TEST(MethodPermissions, EveryMethodOfEveryServiceDeclaresAKnownPermission) {
  absl::StatusOr<MethodPermissions> table = MethodPermissions::FromDescriptors();
  ASSERT_TRUE(table.ok()) << table.status();
  const auto methods = AllMethods();
  ASSERT_EQ(methods.size(), 18u);  // 4 settings + 10 notification request + 4 email RPCs
  for (const auto* method : methods) {
    const std::string path = absl::StrCat("/", method->service()->full_name(), "/", method->name());
    MethodRule rule = table->Lookup(path);
    EXPECT_TRUE(rule.gated) << path;
    EXPECT_TRUE(IsKnownPermission(rule.permission)) << path << ": " << rule.permission;
  }
  EXPECT_EQ(table->GatedMethods().size(), methods.size());
}

TEST(MethodPermissions, SpecTable) {
  MethodPermissions table = *MethodPermissions::FromDescriptors();
  const std::pair<const char*, absl::string_view> expected[] = {
      {"/backinstock.v1.BackInStockSettingsService/GetSettings", kSettingsRead},
      {"/backinstock.v1.BackInStockSettingsService/WatchSettings", kSettingsRead},
      {"/backinstock.v1.BackInStockSettingsService/StartCollectingRequests", kSettingsModify},
      {"/backinstock.v1.BackInStockSettingsService/StopCollectingRequests", kSettingsModify},
      {"/backinstock.v1.BackInStockNotificationRequestService/CreateBackInStockNotificationRequest",
       kRequestsCreate},
      {"/backinstock.v1.BackInStockNotificationRequestService/GetBackInStockNotificationRequest",
       kRequestsRead},
      {"/backinstock.v1.BackInStockNotificationRequestService/QueryBackInStockNotificationRequests",
       kRequestsRead},
      {"/backinstock.v1.BackInStockNotificationRequestService/"
       "GetBackInStockNotificationRequestsCountByCatalogReferences",
       kRequestsRead},
      {"/backinstock.v1.BackInStockNotificationRequestService/WatchNotificationRequestEvents",
       kRequestsRead},
      {"/backinstock.v1.BackInStockNotificationRequestService/DeleteBackInStockNotificationRequest",
       kRequestsModify},
      {"/backinstock.v1.BackInStockNotificationRequestService/MarkAsNotificationSent",
       kRequestsModify},
      {"/backinstock.v1.BackInStockNotificationRequestService/ReportItemsBackInStock",
       kRequestsModify},
      {"/backinstock.v1.BackInStockNotificationRequestService/EraseCustomerData", kRequestsModify},
      {"/backinstock.v1.BackInStockNotificationRequestService/ExportCustomerData", kRequestsRead},
      {"/backinstock.v1.BackInStockEmailService/GetEmailTemplate", kEmailManage},
      {"/backinstock.v1.BackInStockEmailService/UpdateEmailTemplate", kEmailManage},
      {"/backinstock.v1.BackInStockEmailService/RenderEmailPreview", kEmailManage},
      {"/backinstock.v1.BackInStockEmailService/SendTestEmail", kEmailManage},
  };
  for (const auto& [path, permission] : expected) {
    EXPECT_EQ(table.Lookup(path).permission, permission) << path;
  }
}

TEST(MethodPermissions, UnknownMethodsOfOurPackageAreGatedWithoutPermission) {
  MethodPermissions table = *MethodPermissions::FromDescriptors();
  MethodRule rule = table.Lookup("/backinstock.v1.BackInStockSettingsService/DropEverything");
  EXPECT_TRUE(rule.gated);
  EXPECT_TRUE(rule.permission.empty());
}

TEST(MethodPermissions, InfrastructureIsNotGated) {
  MethodPermissions table = *MethodPermissions::FromDescriptors();
  EXPECT_FALSE(table.Lookup("/grpc.health.v1.Health/Check").gated);
  EXPECT_FALSE(
      table.Lookup("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo").gated);
}

}  // namespace
}  // namespace backinstock::auth
