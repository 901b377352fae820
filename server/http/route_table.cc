#include "server/http/route_table.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace backinstock::http {
namespace {

std::vector<absl::string_view> SplitPath(absl::string_view path) {
  if (absl::ConsumePrefix(&path, "/")) {
    return absl::StrSplit(path, '/');
  }
  return {};
}

bool IsFieldPath(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return false;
  }
  return true;
}

// The verb and path of one binding (one of get/put/post/delete/patch).
absl::StatusOr<std::pair<std::string, std::string>> VerbAndPath(const google::api::HttpRule& rule) {
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      return std::make_pair(std::string("GET"), rule.get());
    case google::api::HttpRule::kPut:
      return std::make_pair(std::string("PUT"), rule.put());
    case google::api::HttpRule::kPost:
      return std::make_pair(std::string("POST"), rule.post());
    case google::api::HttpRule::kDelete:
      return std::make_pair(std::string("DELETE"), rule.delete_());
    case google::api::HttpRule::kPatch:
      return std::make_pair(std::string("PATCH"), rule.patch());
    default:
      return absl::InvalidArgumentError("binding without a standard verb");
  }
}

// True when `candidate` is more specific than `best`: at the first segment
// where they differ in kind, the literal wins.
bool MoreSpecific(const Route& candidate, const Route& best) {
  for (size_t i = 0; i < candidate.segments.size(); ++i) {
    if (candidate.segments[i].variable != best.segments[i].variable) {
      return !candidate.segments[i].variable;
    }
  }
  return false;
}

bool PathMatches(const Route& route, const std::vector<absl::string_view>& parts) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const PathSegment& segment = route.segments[i];
    if (segment.variable ? parts[i].empty() : segment.text != parts[i]) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::vector<PathSegment>> ParsePathTemplate(absl::string_view path) {
  if (!absl::StartsWith(path, "/")) {
    return absl::InvalidArgumentError(absl::StrCat("path \"", path, "\" is not absolute"));
  }
  std::vector<PathSegment> segments;
  for (absl::string_view part : SplitPath(path)) {
    if (absl::ConsumePrefix(&part, "{")) {
      if (!absl::ConsumeSuffix(&part, "}") || !IsFieldPath(part)) {
        return absl::InvalidArgumentError(
            absl::StrCat("path \"", path, "\": only {field} variables are supported"));
      }
      segments.push_back(PathSegment{true, std::string(part)});
    } else {
      if (part.empty() || part.find_first_of("{}*:") != absl::string_view::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("path \"", path, "\": unsupported segment \"", part, "\""));
      }
      segments.push_back(PathSegment{false, std::string(part)});
    }
  }
  return segments;
}

absl::StatusOr<RouteTable> RouteTable::FromDescriptors(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services,
    const absl::flat_hash_set<std::string>& served) {
  RouteTable table;
  for (const auto* service : services) {
    for (int m = 0; m < service->method_count(); ++m) {
      const auto* method = service->method(m);
      if (!method->options().HasExtension(google::api::http)) continue;
      const google::api::HttpRule& rule = method->options().GetExtension(google::api::http);
      std::vector<const google::api::HttpRule*> bindings = {&rule};
      for (const auto& extra : rule.additional_bindings()) bindings.push_back(&extra);
      for (const auto* binding : bindings) {
        absl::StatusOr<std::pair<std::string, std::string>> verb_path = VerbAndPath(*binding);
        if (!verb_path.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(method->full_name(), ": ", verb_path.status().message()));
        }
        absl::StatusOr<std::vector<PathSegment>> segments = ParsePathTemplate(verb_path->second);
        if (!segments.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(method->full_name(), ": ", segments.status().message()));
        }
        if (!binding->body().empty() && binding->body() != "*") {
          return absl::InvalidArgumentError(absl::StrCat(
              method->full_name(), ": body \"", binding->body(), "\" (only \"*\" or none)"));
        }
        for (const PathSegment& segment : *segments) {
          if (!segment.variable) continue;
          const google::protobuf::FieldDescriptor* field =
              method->input_type()->FindFieldByName(segment.text);
          if (field == nullptr || field->is_repeated() ||
              field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
            return absl::InvalidArgumentError(
                absl::StrCat(method->full_name(), ": path variable {", segment.text,
                             "} is not a string field of ", method->input_type()->full_name()));
          }
        }
        Route route;
        route.verb = verb_path->first;
        route.segments = *std::move(segments);
        route.body = binding->body();
        route.method = method;
        route.grpc_path = absl::StrCat("/", service->full_name(), "/", method->name());
        route.served = served.contains(service->full_name());
        for (const Route& other : table.routes_) {
          bool same = other.verb == route.verb && other.segments.size() == route.segments.size();
          for (size_t i = 0; same && i < route.segments.size(); ++i) {
            same = other.segments[i].variable == route.segments[i].variable &&
                   (route.segments[i].variable || other.segments[i].text == route.segments[i].text);
          }
          if (same) {
            return absl::InvalidArgumentError(
                absl::StrCat(route.verb, " ", verb_path->second, " is bound to both ",
                             other.method->full_name(), " and ", method->full_name()));
          }
        }
        table.routes_.push_back(std::move(route));
      }
    }
  }
  return table;
}

const Route* RouteTable::Match(absl::string_view verb, absl::string_view path, RouteMatch* match,
                               bool* path_exists) const {
  const std::vector<absl::string_view> parts = SplitPath(path);
  const Route* best = nullptr;
  *path_exists = false;
  for (const Route& route : routes_) {
    if (!PathMatches(route, parts)) continue;
    *path_exists = true;
    if (route.verb != verb) continue;
    if (best == nullptr || MoreSpecific(route, *best)) best = &route;
  }
  // A more specific path under another verb still owns the path: "PUT
  // .../settings" must not fall through to "GET .../{id}"'s verb list.
  if (best != nullptr) {
    for (const Route& route : routes_) {
      if (route.verb != verb && PathMatches(route, parts) && MoreSpecific(route, *best)) {
        return nullptr;
      }
    }
    match->route = best;
    match->path_params.clear();
    for (size_t i = 0; i < parts.size(); ++i) {
      if (best->segments[i].variable) {
        match->path_params.emplace_back(best->segments[i].text, std::string(parts[i]));
      }
    }
  }
  return best;
}

std::vector<std::string> RouteTable::VerbsFor(absl::string_view path) const {
  const std::vector<absl::string_view> parts = SplitPath(path);
  // Only the verbs of the most specific paths that match.
  const Route* most_specific = nullptr;
  for (const Route& route : routes_) {
    if (PathMatches(route, parts) &&
        (most_specific == nullptr || MoreSpecific(route, *most_specific))) {
      most_specific = &route;
    }
  }
  std::vector<std::string> verbs;
  if (most_specific == nullptr) return verbs;
  for (const Route& route : routes_) {
    if (PathMatches(route, parts) && !MoreSpecific(*most_specific, route) &&
        std::find(verbs.begin(), verbs.end(), route.verb) == verbs.end()) {
      verbs.push_back(route.verb);
    }
  }
  return verbs;
}

}  // namespace backinstock::http
