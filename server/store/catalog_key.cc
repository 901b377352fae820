#include "server/store/catalog_key.h"

// The plain SHA-256 functions are deprecated in OpenSSL 3 (see Sha256 below).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace backinstock::store {
namespace {

// Deterministic serialisation sorts map keys at every depth, so a Struct's
// bytes depend only on its content.
std::string CanonicalOptions(const google::protobuf::Struct& options) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  options.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

// SHA-256 fed piece by piece. OpenSSL 3's EVP interface allocates a fresh
// digest context on every EVP_DigestInit_ex and looks the algorithm up in its
// providers; a count of 10 catalog references hashes 10 short inputs, so the
// plain SHA-256 functions (deprecated in OpenSSL 3 in favour of EVP, but
// present and allocation-free) are used instead.
class Sha256 {
 public:
  Sha256() { SHA256_Init(&context_); }
  void Update(absl::string_view bytes) { SHA256_Update(&context_, bytes.data(), bytes.size()); }
  // Length-prefixed, so that no two different sequences of fields encode
  // alike: "<decimal length>:<bytes>".
  void UpdateField(absl::string_view field) {
    Update(absl::AlphaNum(field.size()).Piece());
    Update(":");
    Update(field);
  }
  std::string Hex() {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256_Final(digest, &context_);
    return absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  }

 private:
  SHA256_CTX context_;
};

}  // namespace

std::string CatalogKey(const v1::CatalogReference& reference) {
  return CatalogKey(reference.catalog_item_id(), reference.app_id(),
                    reference.has_options() ? &reference.options() : nullptr);
}

std::string CatalogKey(absl::string_view item_id, absl::string_view app_id,
                       const google::protobuf::Struct* options) {
  Sha256 hash;
  hash.UpdateField(item_id);
  hash.UpdateField(app_id);
  hash.UpdateField(options ? CanonicalOptions(*options) : std::string());
  return hash.Hex();
}

std::string OpenRequestKey(absl::string_view catalog_key, absl::string_view lower_email) {
  return absl::StrCat(catalog_key, "/", lower_email);
}

std::string OpenRequestKeyOf(const v1::BackInStockNotificationRequest& request) {
  return OpenRequestKeysOf(request).open;
}

OpenRequestKeys OpenRequestKeysOf(const v1::BackInStockNotificationRequest& request) {
  OpenRequestKeys keys;
  keys.catalog = CatalogKey(request.catalog_reference());
  keys.open = OpenRequestKey(keys.catalog, absl::AsciiStrToLower(request.email()));
  return keys;
}

std::string Sha256Hex(absl::string_view bytes) {
  Sha256 hash;
  hash.Update(bytes);
  return hash.Hex();
}

}  // namespace backinstock::store
