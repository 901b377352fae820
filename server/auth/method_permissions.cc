#include "server/auth/method_permissions.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backinstock/v1/email.pb.h"
#include "backinstock/v1/notification_requests.pb.h"
#include "backinstock/v1/options.pb.h"
#include "backinstock/v1/settings.pb.h"
#include "google/protobuf/descriptor.h"
#include "server/auth/permissions.h"

namespace backinstock::auth {

absl::StatusOr<MethodPermissions> MethodPermissions::FromDescriptors() {
  // Touching one message of each file makes sure its descriptor is in the
  // generated pool even when the linker would otherwise drop it.
  const google::protobuf::FileDescriptor* files[] = {
      v1::GetSettingsRequest::descriptor()->file(),
      v1::GetBackInStockNotificationRequestRequest::descriptor()->file(),
      v1::GetEmailTemplateRequest::descriptor()->file(),
  };
  MethodPermissions table;
  for (const auto* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      if (!absl::StartsWith(service->full_name(), "backinstock.")) continue;
      for (int m = 0; m < service->method_count(); ++m) {
        const auto* method = service->method(m);
        std::string permission = method->options().GetExtension(v1::required_permission);
        if (!permission.empty() && !IsKnownPermission(permission)) {
          return absl::FailedPreconditionError(absl::StrCat(
              method->full_name(), " declares unknown permission \"", permission, "\""));
        }
        table.permissions_[absl::StrCat("/", service->full_name(), "/", method->name())] =
            std::move(permission);
      }
    }
  }
  return table;
}

MethodRule MethodPermissions::Lookup(absl::string_view method_path) const {
  auto it = permissions_.find(method_path);
  if (it != permissions_.end()) return MethodRule{true, it->second};
  // Anything else under our package is gated too: an RPC added to a service
  // but missing from this table is refused rather than let through.
  if (absl::StartsWith(method_path, "/backinstock.")) return MethodRule{true, ""};
  return MethodRule{false, ""};
}

std::vector<std::string> MethodPermissions::GatedMethods() const {
  std::vector<std::string> methods;
  for (const auto& [path, permission] : permissions_) methods.push_back(path);
  std::sort(methods.begin(), methods.end());
  return methods;
}

}  // namespace backinstock::auth
