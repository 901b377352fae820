#include "server/domain/query/cursor.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "nlohmann/json.hpp"

namespace backinstock::domain::query {
namespace {

using Json = nlohmann::json;

constexpr int kFormatVersion = 1;
constexpr size_t kMacBytes = 32;
// Generous: a filter is at most ~100 conditions of small literals.
constexpr size_t kMaxCursorChars = 64 * 1024;
constexpr absl::string_view kMacContext = "backinstock.v1 query cursor";

absl::Status Invalid(absl::string_view why) {
  return errors::InvalidField(
      "query.cursor_paging.cursor",
      absl::StrCat("the cursor is not valid here: ", why, "; start again from the first page"),
      "INVALID_CURSOR");
}

Json ValueToJson(const Value& value) {
  switch (value.index()) {
    case 1:
      return std::get<bool>(value);
    case 2:
      return std::get<int64_t>(value);
    case 3:
      return std::get<std::string>(value);
    default:
      return nullptr;
  }
}

std::optional<Value> ValueFromJson(const Json& json) {
  if (json.is_null()) return Value(std::monostate{});
  if (json.is_boolean()) return Value(json.get<bool>());
  if (json.is_number_unsigned()) {
    const uint64_t n = json.get<uint64_t>();
    if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return Value(static_cast<int64_t>(n));
  }
  if (json.is_number_integer()) return Value(json.get<int64_t>());
  if (json.is_string()) return Value(json.get<std::string>());
  return std::nullopt;
}

}  // namespace

std::string CanonicalFilter(const google::protobuf::Struct& filter) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    filter.SerializeToCodedStream(&coded);
  }
  return bytes;
}

absl::StatusOr<CursorCodec> CursorCodec::WithRandomSecret() {
  std::string secret(kMinSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 1) {
    return absl::InternalError("the random number generator failed to produce a cursor secret");
  }
  return Keyed(secret);
}

absl::StatusOr<CursorCodec> CursorCodec::WithSecret(std::string secret) {
  if (secret.size() < kMinSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a cursor secret has at least ", kMinSecretBytes,
                                                   " bytes, not ", secret.size()));
  }
  return Keyed(secret);
}

absl::StatusOr<CursorCodec> CursorCodec::Keyed(absl::string_view secret) {
  std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr),
                                                         &EVP_MAC_free);
  if (!hmac) return absl::InternalError("OpenSSL offers no HMAC for cursors");
  std::shared_ptr<EVP_MAC_CTX> keyed(EVP_MAC_CTX_new(hmac.get()), &EVP_MAC_CTX_free);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (!keyed || EVP_MAC_init(keyed.get(), reinterpret_cast<const unsigned char*>(secret.data()),
                             secret.size(), params) != 1) {
    return absl::InternalError("OpenSSL could not key HMAC-SHA256 for cursors");
  }
  return CursorCodec(std::move(keyed));
}

std::string CursorCodec::Mac(absl::string_view site, absl::string_view payload) const {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> mac(EVP_MAC_CTX_dup(keyed_.get()),
                                                                &EVP_MAC_CTX_free);
  // The site is length-prefixed so that no site/payload split is ambiguous.
  const std::string prefix = absl::StrCat(kMacContext, "\n", site.size(), ":", site);
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t length = 0;
  if (!mac ||
      EVP_MAC_update(mac.get(), reinterpret_cast<const unsigned char*>(prefix.data()),
                     prefix.size()) != 1 ||
      EVP_MAC_update(mac.get(), reinterpret_cast<const unsigned char*>(payload.data()),
                     payload.size()) != 1 ||
      EVP_MAC_final(mac.get(), out, &length, sizeof(out)) != 1) {
    return std::string();
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

absl::StatusOr<std::string> CursorCodec::Encode(absl::string_view site,
                                                const CursorState& state) const {
  // Built member by member rather than from an initializer list, which
  // copies every nested value once more; the CBOR is the same (an object's
  // keys are written sorted either way).
  Json payload = Json::object();
  payload["v"] = kFormatVersion;
  payload["f"] = Json::binary(std::vector<uint8_t>(state.filter.begin(), state.filter.end()));
  Json& order = payload["s"] = Json::array();
  for (const SortKey& key : state.order) {
    Json pair = Json::array();
    pair.push_back(static_cast<int>(key.field));
    pair.push_back(key.descending);
    order.push_back(std::move(pair));
  }
  payload["l"] = state.limit;
  payload["b"] = state.anchor.backward;
  payload["i"] = state.anchor.inclusive;
  Json& position = payload["p"] = Json::array();
  for (const Value& value : state.anchor.position) position.push_back(ValueToJson(value));
  std::string bytes;
  Json::to_cbor(payload, bytes);
  const std::string mac = Mac(site, bytes);
  if (mac.size() != kMacBytes) return absl::InternalError("OpenSSL failed to sign a cursor");
  bytes.append(mac);
  return absl::WebSafeBase64Escape(bytes);
}

absl::StatusOr<CursorState> CursorCodec::Decode(absl::string_view site,
                                                absl::string_view cursor) const {
  if (cursor.size() > kMaxCursorChars) return Invalid("it is too long");
  std::string bytes;
  // Re-encoding must give the same text: base64 has spare bits in its last
  // character, and a cursor that differs in them is still a different cursor.
  if (!absl::WebSafeBase64Unescape(cursor, &bytes) || bytes.size() <= kMacBytes ||
      absl::WebSafeBase64Escape(bytes) != cursor) {
    return Invalid("it is not a cursor this service issued");
  }
  const absl::string_view payload = absl::string_view(bytes).substr(0, bytes.size() - kMacBytes);
  const absl::string_view mac = absl::string_view(bytes).substr(bytes.size() - kMacBytes);
  const std::string expected = Mac(site, payload);
  if (expected.size() != kMacBytes || CRYPTO_memcmp(expected.data(), mac.data(), kMacBytes) != 0) {
    return Invalid("it was altered, issued for another site, or issued before a restart");
  }

  // Authentic from here on; the checks below guard against format changes.
  const Json json = Json::from_cbor(payload.begin(), payload.end(), true, false);
  if (json.is_discarded() || !json.is_object()) return Invalid("its payload is unreadable");
  auto field = [&json](const char* name) -> const Json* {
    auto it = json.find(name);
    return it == json.end() ? nullptr : &*it;
  };
  const Json* version = field("v");
  const Json* filter = field("f");
  const Json* order = field("s");
  const Json* limit = field("l");
  const Json* backward = field("b");
  const Json* inclusive = field("i");
  const Json* position = field("p");
  if (!version || !version->is_number_integer() || version->get<int64_t>() != kFormatVersion) {
    return Invalid("it has an unknown format version");
  }
  if (!filter || !filter->is_binary() || !order || !order->is_array() || !limit ||
      !limit->is_number_integer() || !backward || !backward->is_boolean() || !inclusive ||
      !inclusive->is_boolean() || !position || !position->is_array()) {
    return Invalid("its payload is incomplete");
  }

  CursorState state;
  const auto& filter_bytes = filter->get_binary();
  state.filter.assign(filter_bytes.begin(), filter_bytes.end());
  for (const Json& key : *order) {
    if (!key.is_array() || key.size() != 2 || !key[0].is_number_integer() || !key[1].is_boolean()) {
      return Invalid("its sort order is unreadable");
    }
    const int64_t field_number = key[0].get<int64_t>();
    if (field_number < 0 || field_number >= kFieldCount) return Invalid("it sorts on no field");
    state.order.push_back({static_cast<Field>(field_number), key[1].get<bool>()});
  }
  const int64_t page_size = limit->get<int64_t>();
  if (page_size < 1 || page_size > kMaxLimit) return Invalid("its page size is out of range");
  state.limit = static_cast<int>(page_size);
  state.anchor.backward = backward->get<bool>();
  state.anchor.inclusive = inclusive->get<bool>();
  if (state.order.empty() || position->size() != state.order.size()) {
    return Invalid("its position does not fit its sort order");
  }
  for (size_t i = 0; i < position->size(); ++i) {
    std::optional<Value> value = ValueFromJson((*position)[i]);
    if (!value || !ValueFitsField(*value, state.order[i].field)) {
      return Invalid("its position does not fit its sort order");
    }
    state.anchor.position.push_back(*std::move(value));
  }
  return state;
}

}  // namespace backinstock::domain::query
