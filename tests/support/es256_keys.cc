#include "tests/support/es256_keys.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace backinstock::testing {
namespace {

std::string Drain(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

KeyPair ToPems(EVP_PKEY* key) {
  if (key == nullptr) throw std::runtime_error("key generation failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owned(key, &EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> priv(BIO_new(BIO_s_mem()), &BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> pub(BIO_new(BIO_s_mem()), &BIO_free);
  if (PEM_write_bio_PrivateKey(priv.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_PUBKEY(pub.get(), key) != 1) {
    throw std::runtime_error("PEM encoding failed");
  }
  return {Drain(priv.get()), Drain(pub.get())};
}

}  // namespace

KeyPair MakeEcKeyPair(const char* curve) { return ToPems(EVP_EC_gen(curve)); }

KeyPair MakeRsaKeyPair() { return ToPems(EVP_RSA_gen(2048)); }

std::string SignEs256(absl::string_view kid, const std::string& private_pem,
                      const nlohmann::json& claims) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  const std::string kid_string(kid);
  if (jwt_add_header(jwt.get(), "kid", kid_string.c_str()) != 0 ||
      jwt_add_grants_json(jwt.get(), claims.dump().c_str()) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_ES256,
                  reinterpret_cast<const unsigned char*>(private_pem.data()),
                  static_cast<int>(private_pem.size())) != 0) {
    throw std::runtime_error("building the ES256 token failed");
  }
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) throw std::runtime_error("signing the ES256 token failed");
  std::string token(encoded);
  free(encoded);  // libjwt 1.10 allocates the string with malloc
  return token;
}

}  // namespace backinstock::testing
