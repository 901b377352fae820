#include "server/auth/keys.h"

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace backinstock::auth {
namespace {

absl::StatusOr<KeySet> ParseKeySet(const nlohmann::json& root, const char* name) {
  KeySet set;
  auto it = root.find(name);
  if (it == root.end()) return set;
  if (!it->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("keys file: \"", name, "\" must be an object"));
  }
  for (const auto& [kid, value] : it->items()) {
    if (kid.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("keys file: empty key id in \"", name, "\""));
    }
    if (!value.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys file: ", name, ".", kid, " must be a base64url string"));
    }
    std::string encoded = value.get<std::string>();
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    std::string secret;
    if (!absl::WebSafeBase64Unescape(encoded, &secret)) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys file: ", name, ".", kid, " is not valid base64url"));
    }
    if (secret.size() < kMinSecretBytes) {
      return absl::InvalidArgumentError(absl::StrCat("keys file: ", name, ".", kid, " is ",
                                                     secret.size(), " bytes; at least ",
                                                     kMinSecretBytes, " are required"));
    }
    set.emplace(kid, std::move(secret));
  }
  return set;
}

}  // namespace

absl::StatusOr<Keys> ParseKeys(absl::string_view json) {
  nlohmann::json root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError("keys file: not a JSON object");
  }
  Keys keys;
  absl::StatusOr<KeySet> identity = ParseKeySet(root, "identity_keys");
  if (!identity.ok()) return identity.status();
  absl::StatusOr<KeySet> elevation = ParseKeySet(root, "elevation_keys");
  if (!elevation.ok()) return elevation.status();
  if (identity->empty()) {
    return absl::InvalidArgumentError("keys file: \"identity_keys\" holds no key");
  }
  if (auto dev = root.find("development_only"); dev != root.end() && dev->is_boolean()) {
    keys.development_only = dev->get<bool>();
  }
  keys.identity = *std::move(identity);
  keys.elevation = *std::move(elevation);
  return keys;
}

absl::StatusOr<Keys> LoadKeysFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read keys file ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  absl::StatusOr<Keys> keys = ParseKeys(contents.str());
  if (!keys.ok()) {
    return absl::Status(keys.status().code(), absl::StrCat(path, ": ", keys.status().message()));
  }
  return keys;
}

}  // namespace backinstock::auth
