// The HTTP routes of every served RPC, read at startup from the
// `google.api.http` annotations in the proto descriptors (as the permission
// table reads `required_permission`): a new annotated RPC is served without
// new front code, and the proto stays the one contract.
#ifndef BACKINSTOCK_SERVER_HTTP_ROUTE_TABLE_H_
#define BACKINSTOCK_SERVER_HTTP_ROUTE_TABLE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace backinstock::http {

// One path segment of a route: a literal, or a variable naming a request field.
struct PathSegment {
  bool variable = false;
  std::string text;  // the literal, or the field path of the variable ("id")
};

struct Route {
  std::string verb;  // upper case: GET, PUT, POST, DELETE, PATCH
  std::vector<PathSegment> segments;
  // "*": the whole body is the request; "": no body (query string instead);
  // otherwise the request field the body fills.
  std::string body;
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string grpc_path;  // "/backinstock.v1.Service/Method"
  // False for a service this server does not run: its paths stay reserved
  // (never taken for "{id}") and answer 501.
  bool served = true;
};

// What a request line resolved to.
struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::pair<std::string, std::string>> path_params;  // field path -> value
};

class RouteTable {
 public:
  // The routes of every annotated method of `services`; those of services not
  // in `served` (full names) are marked unserved. Fails on an annotation the
  // front cannot serve (a path that is not absolute, a variable with a
  // sub-pattern or that is not a string field, a body other than "*" or none,
  // two RPCs on one route).
  static absl::StatusOr<RouteTable> FromDescriptors(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services,
      const absl::flat_hash_set<std::string>& served);

  // Finds the route for a verb and a path (without the query string, already
  // stripped of the optional service prefix). Literal segments win over
  // variables, so ".../settings" never reaches "{id}". `path_exists` tells
  // a wrong verb (405) from an unknown path (404).
  const Route* Match(absl::string_view verb, absl::string_view path, RouteMatch* match,
                     bool* path_exists) const;

  // The verbs served on a path, for `Allow` and CORS preflight.
  std::vector<std::string> VerbsFor(absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Parses "/v1/x/{id}/y" into segments; exposed for tests.
absl::StatusOr<std::vector<PathSegment>> ParsePathTemplate(absl::string_view path);

}  // namespace backinstock::http

#endif  // BACKINSTOCK_SERVER_HTTP_ROUTE_TABLE_H_
