#include "server/auth/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace backinstock::auth {
namespace {

constexpr absl::string_view kPublicKeyPemBegin = "-----BEGIN PUBLIC KEY-----";
constexpr absl::string_view kAnyPemBegin = "-----BEGIN ";

// True when every character is in the base64url alphabet, with optional
// trailing '=' padding. Abseil's decoder skips whitespace, so without this a
// pasted PEM block (private key included) could decode into a "secret".
bool IsStrictBase64Url(absl::string_view text) {
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  for (size_t i = 0; i < end; ++i) {
    const char c = text[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// True when `pem` holds exactly an EC public key on P-256 (what ES256 needs).
bool IsP256PublicKey(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!key || !EVP_PKEY_is_a(key.get(), "EC")) return false;
  char group[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &length) != 1) {
    return false;
  }
  return absl::string_view(group, length) == "prime256v1";
}

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
    if (absl::StartsWith(encoded, kPublicKeyPemBegin)) {
      if (!IsP256PublicKey(encoded)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "keys file: ", name, ".", kid, " is not a PEM EC P-256 public key (ES256)"));
      }
      set.emplace(kid, std::move(encoded));
      continue;
    }
    if (absl::StartsWith(encoded, kAnyPemBegin)) {
      // Most likely a private key pasted by mistake: say so without echoing it.
      return absl::InvalidArgumentError(absl::StrCat(
          "keys file: ", name, ".", kid,
          " is a PEM block but not a PUBLIC KEY; the keys file holds only public keys and "
          "HMAC secrets (never a private key)"));
    }
    if (!IsStrictBase64Url(encoded)) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys file: ", name, ".", kid, " is not valid base64url"));
    }
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    std::string secret;
    if (!absl::WebSafeBase64Unescape(encoded, &secret)) {
      return absl::InvalidArgumentError(
          absl::StrCat("keys file: ", name, ".", kid, " is not valid base64url"));
    }
    if (IsPublicKeyPem(secret)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "keys file: ", name, ".", kid, " decodes to PEM text; give public keys as PEM strings"));
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

bool IsPublicKeyPem(absl::string_view key) { return absl::StartsWith(key, kPublicKeyPemBegin); }

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
