// The permission of every RPC, read from the `(backinstock.v1.required_permission)`
// method option in the proto descriptors: the one place it is declared.
#ifndef BACKINSTOCK_SERVER_AUTH_METHOD_PERMISSIONS_H_
#define BACKINSTOCK_SERVER_AUTH_METHOD_PERMISSIONS_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace backinstock::auth {

// What the table says of one method path ("/package.Service/Method").
struct MethodRule {
  // False for methods outside our services (health, reflection): those are
  // public infrastructure and are not gated.
  bool gated = false;
  // The declared permission; empty for a gated method that declares none,
  // which is then refused for everybody (deny by default). Points into the
  // table, which lives as long as the server: looking a method up on every
  // call copies nothing.
  absl::string_view permission;
};

class MethodPermissions {
 public:
  // Reads every service of the generated descriptor pool whose full name starts
  // with "backinstock.". Fails when a declared permission is not a known one.
  static absl::StatusOr<MethodPermissions> FromDescriptors();

  // The rule for a method path as gRPC reports it ("/pkg.Service/Method").
  MethodRule Lookup(absl::string_view method_path) const;

  // Every gated method path, for tests and docs.
  std::vector<std::string> GatedMethods() const;

 private:
  // Method path -> declared permission ("" when none is declared).
  absl::flat_hash_map<std::string, std::string> permissions_;
};

}  // namespace backinstock::auth

#endif  // BACKINSTOCK_SERVER_AUTH_METHOD_PERMISSIONS_H_
