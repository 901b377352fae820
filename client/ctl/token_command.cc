// `backinstockctl token identity|elevation`: mints tokens from a keys file for
// local use (development keys, tests, demos). Production tokens come from the
// platform's identity service.
#include <openssl/rand.h>

#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "client/ctl/command.h"
#include "client/ctl/exit_codes.h"
#include "nlohmann/json.hpp"
#include "server/auth/keys.h"
#include "server/auth/permissions.h"
#include "server/auth/token_minter.h"

namespace backinstock::ctl {
namespace {

// The server refuses elevation tokens that live longer (docs/decisions.md, "Identity and
// elevation").
constexpr absl::Duration kMaxElevationTtl = absl::Seconds(300);

int Usage(absl::string_view message) {
  std::cerr << "backinstockctl token: " << message << "\n"
            << "Run `backinstockctl token --help` for its usage.\n";
  return kExitUsage;
}

absl::StatusOr<std::string> Required(const Args& args, absl::string_view name) {
  auto value = args.Get(name);
  if (!value || value->empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " is required"));
  }
  return *value;
}

// SETTINGS_READ and friends stand for the full permission names.
absl::StatusOr<std::vector<std::string>> Permissions(absl::string_view csv) {
  static constexpr std::pair<absl::string_view, absl::string_view> kShort[] = {
      {"SETTINGS_READ", auth::kSettingsRead},     {"SETTINGS_MODIFY", auth::kSettingsModify},
      {"REQUESTS_CREATE", auth::kRequestsCreate}, {"REQUESTS_READ", auth::kRequestsRead},
      {"REQUESTS_MODIFY", auth::kRequestsModify}, {"EMAIL_MANAGE", auth::kEmailManage}};
  std::vector<std::string> perms;
  for (absl::string_view name : absl::StrSplit(csv, ',', absl::SkipWhitespace())) {
    for (const auto& [alias, full] : kShort) {
      if (name == alias) name = full;
    }
    if (!auth::IsKnownPermission(name)) {
      return absl::InvalidArgumentError(absl::StrCat("--perms: unknown permission \"", name, "\""));
    }
    perms.emplace_back(name);
  }
  if (perms.empty()) return absl::InvalidArgumentError("--perms names no permission");
  return perms;
}

// The key to sign with: --kid, or the set's only key.
absl::StatusOr<std::pair<std::string, std::string>> PickKey(const auth::KeySet& set,
                                                            absl::string_view set_name,
                                                            const Args& args) {
  if (auto kid = args.Get("kid")) {
    auto it = set.find(*kid);
    if (it == set.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--kid: the keys file has no ", set_name, " key \"", *kid, "\""));
    }
    return *it;
  }
  if (set.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat("the keys file holds ", set.size(), " ",
                                                   set_name, " keys; name one with --kid"));
  }
  return *set.begin();
}

std::string RandomJti() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return absl::StrCat("jti-", absl::ToUnixNanos(absl::Now()));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

int Mint(const Args& args, const std::vector<std::string>& words) {
  if (words.size() != 1 || (words[0] != "identity" && words[0] != "elevation")) {
    return Usage("say which token: `token identity` or `token elevation`");
  }
  const bool identity = words[0] == "identity";

  absl::StatusOr<std::string> keys_file = Required(args, "keys_file");
  absl::StatusOr<std::string> site = Required(args, "site");
  if (!keys_file.ok()) return Usage(keys_file.status().message());
  if (!site.ok()) return Usage(site.status().message());
  absl::Duration ttl = identity ? absl::Hours(1) : absl::Seconds(60);
  if (auto text = args.Get("ttl")) {
    if (!absl::ParseDuration(*text, &ttl) || ttl <= absl::ZeroDuration()) {
      return Usage(absl::StrCat("--ttl: \"", *text, "\" is not a positive duration like 60s"));
    }
  }
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  nlohmann::json claims = {{"sub", args.Get("sub").value_or("backinstockctl")},
                           {"site", *site},
                           {"iat", now},
                           {"exp", now + absl::ToInt64Seconds(ttl)}};
  if (identity) {
    if (args.Has("perms")) return Usage("--perms is for elevation tokens");
    absl::StatusOr<std::string> role = Required(args, "role");
    if (!role.ok()) return Usage(role.status().message());
    if (!auth::ParseRole(*role)) {
      return Usage(absl::StrCat("--role: \"", *role, "\" is not visitor, member, user or app"));
    }
    claims["aud"] = "backinstock";
    claims["role"] = *role;
  } else {
    if (args.Has("role")) return Usage("--role is for identity tokens");
    if (ttl > kMaxElevationTtl) return Usage("--ttl: elevation tokens live at most 300s");
    absl::StatusOr<std::string> csv = Required(args, "perms");
    if (!csv.ok()) return Usage(csv.status().message());
    absl::StatusOr<std::vector<std::string>> perms = Permissions(*csv);
    if (!perms.ok()) return Usage(perms.status().message());
    claims["aud"] = "backinstock-elevation";
    claims["perms"] = *perms;
    claims["jti"] = RandomJti();
  }

  absl::StatusOr<auth::Keys> keys = auth::LoadKeysFile(*keys_file);
  if (!keys.ok()) {
    std::cerr << "backinstockctl token: " << keys.status().message() << "\n";
    return kExitFailure;
  }
  auto key = PickKey(identity ? keys->identity : keys->elevation,
                     identity ? "identity" : "elevation", args);
  if (!key.ok()) return Usage(key.status().message());
  absl::StatusOr<std::string> token = auth::MintHs256(key->first, key->second, claims.dump());
  if (!token.ok()) {
    std::cerr << "backinstockctl token: " << token.status().message() << "\n";
    return kExitFailure;
  }
  std::cout << *token << std::endl;
  return kExitOk;
}

}  // namespace

Command TokenCommand() {
  Command command;
  command.name = "token";
  command.arguments = "identity|elevation";
  command.summary = "Mint an identity or elevation token from a keys file (local use).";
  command.description =
      "Prints a signed token (HS256) for local use, made with a key of the keys file the\n"
      "server runs with. Examples:\n"
      "  backinstockctl token identity --keys_file=config/dev-keys.json --site=my-site "
      "--role=user\n"
      "  backinstockctl token elevation --keys_file=config/dev-keys.json --site=my-site \\\n"
      "      --perms=SETTINGS_MODIFY --ttl=120s\n"
      "Identity tokens need --site and --role; elevation tokens --site and --perms.";
  command.flags = {"keys_file", "site", "role", "perms", "sub", "kid", "ttl"};
  command.run = Mint;
  return command;
}

}  // namespace backinstock::ctl
