#include "server/store/catalog_key.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdlib>

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

// Length-prefixed, so that no two different triples encode alike.
void AppendField(std::string& out, absl::string_view field) {
  absl::StrAppend(&out, field.size(), ":", field);
}

}  // namespace

std::string CatalogKey(const v1::CatalogReference& reference) {
  std::string encoded;
  AppendField(encoded, reference.catalog_item_id());
  AppendField(encoded, reference.app_id());
  AppendField(encoded, reference.has_options() ? CanonicalOptions(reference.options()) : "");
  return Sha256Hex(encoded);
}

std::string OpenRequestKey(absl::string_view catalog_key, absl::string_view lower_email) {
  return absl::StrCat(catalog_key, "/", lower_email);
}

std::string OpenRequestKeyOf(const v1::BackInStockNotificationRequest& request) {
  return OpenRequestKey(CatalogKey(request.catalog_reference()),
                        absl::AsciiStrToLower(request.email()));
}

std::string Sha256Hex(absl::string_view bytes) {
  // OpenSSL 3's one-shot SHA256() looks the algorithm up in its providers on
  // every call, which cost several times the hashing of these short inputs
  // (a count of 10 catalog references hashes 10 of them). The algorithm is
  // fetched once, and each thread keeps a digest context to reuse.
  static EVP_MD* const sha256 = [] {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) std::abort();  // libcrypto without SHA-256: nothing can work
    return md;
  }();
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  static thread_local Context context;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int size = 0;
  if (context.ctx == nullptr || EVP_DigestInit_ex(context.ctx, sha256, nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest, &size) != 1 || size != sizeof(digest)) {
    // The context could not be made or used (out of memory): the one-shot way.
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace backinstock::store
