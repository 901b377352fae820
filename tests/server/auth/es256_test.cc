// ES256 tokens verified with PEM public keys from the keys file, beside HS256.
#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "backinstock/errors/error.h"
#include "server/auth/keys.h"
#include "server/auth/token_minter.h"
#include "server/auth/token_verifier.h"
#include "tests/support/es256_keys.h"
#include "tests/support/test_keys.h"

namespace backinstock::testing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

class Es256Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pair_ = new KeyPair(MakeEcKeyPair());
    other_ = new KeyPair(MakeEcKeyPair());
  }
  static void TearDownTestSuite() {
    delete pair_;
    delete other_;
  }

  // Keys as the keys file gives them: an HS256 secret and an ES256 key.
  auth::Keys Keys() const {
    nlohmann::json file = {
        {"identity_keys",
         {{kIdentityKid, absl::WebSafeBase64Escape(kIdentitySecret)}, {"ec-1", pair_->public_pem}}},
        {"elevation_keys", {{"ec-elevation", pair_->public_pem}}}};
    absl::StatusOr<auth::Keys> keys = auth::ParseKeys(file.dump());
    EXPECT_TRUE(keys.ok()) << keys.status();
    return keys.ok() ? *keys : auth::Keys{};
  }

  std::string Reason(const std::string& token) const {
    return errors::ReasonOf(auth::VerifyIdentityToken(token, Keys().identity, kNow).status());
  }

  static KeyPair* pair_;
  static KeyPair* other_;
};

KeyPair* Es256Test::pair_ = nullptr;
KeyPair* Es256Test::other_ = nullptr;

TEST_F(Es256Test, AcceptsTokensSignedWithThePrivateKeyBesideHs256) {
  const nlohmann::json claims = IdentityClaimsJson("site-1", "user", "alice", kNow);
  absl::StatusOr<auth::IdentityClaims> es = auth::VerifyIdentityToken(
      SignEs256("ec-1", pair_->private_pem, claims), Keys().identity, kNow);
  ASSERT_TRUE(es.ok()) << es.status();
  EXPECT_EQ(es->site, "site-1");
  EXPECT_EQ(es->sub, "alice");
  EXPECT_TRUE(auth::VerifyIdentityToken(SignIdentity(claims), Keys().identity, kNow).ok());

  absl::StatusOr<auth::ElevationClaims> elevation =
      auth::VerifyElevationToken(SignEs256("ec-elevation", pair_->private_pem,
                                           ElevationClaimsJson("site-1", {"P"}, "b", kNow)),
                                 Keys().elevation, kNow);
  EXPECT_TRUE(elevation.ok()) << elevation.status();
}

TEST_F(Es256Test, RefusesAnotherKeysSignatureAndTamperedPayloads) {
  const nlohmann::json claims = IdentityClaimsJson("site-1", "visitor", "alice", kNow);
  EXPECT_EQ(Reason(SignEs256("ec-1", other_->private_pem, claims)), "TOKEN_INVALID");

  const std::string good = SignEs256("ec-1", pair_->private_pem, claims);
  std::vector<std::string> parts = absl::StrSplit(good, '.');
  parts[1] = absl::WebSafeBase64Escape(IdentityClaimsJson("site-1", "user", "alice", kNow).dump());
  EXPECT_EQ(Reason(absl::StrJoin(parts, ".")), "TOKEN_INVALID");
  std::vector<std::string> cut = absl::StrSplit(good, '.');
  cut[2] = cut[2].substr(0, 43);  // half a signature
  EXPECT_EQ(Reason(absl::StrJoin(cut, ".")), "TOKEN_INVALID");
}

TEST_F(Es256Test, APublicKeyIsNeverUsedAsAnHmacSecret) {
  // The classic confusion: HS256 "signed" with the public key's PEM text.
  const nlohmann::json claims = IdentityClaimsJson("site-1", "user", "mallory", kNow);
  absl::StatusOr<std::string> forged = auth::MintHs256("ec-1", pair_->public_pem, claims.dump());
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(Reason(*forged), "TOKEN_INVALID");
  // And an ES256 header on an HS256 key is refused too.
  EXPECT_EQ(Reason(SignEs256(kIdentityKid, pair_->private_pem, claims)), "TOKEN_INVALID");
}

TEST_F(Es256Test, ExpiryStillApplies) {
  nlohmann::json claims = IdentityClaimsJson("site-1", "user", "alice", kNow - absl::Hours(2));
  EXPECT_EQ(Reason(SignEs256("ec-1", pair_->private_pem, claims)), "TOKEN_EXPIRED");
}

TEST(Es256Keys, OnlyEcP256PublicKeysAreAccepted) {
  auto parse = [](const std::string& value) {
    return auth::ParseKeys(nlohmann::json{{"identity_keys", {{"k", value}}}}.dump()).status();
  };
  EXPECT_TRUE(parse(MakeEcKeyPair("P-256").public_pem).ok());
  EXPECT_EQ(parse(MakeEcKeyPair("P-384").public_pem).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse(MakeRsaKeyPair().public_pem).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parse("-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n").code(),
            absl::StatusCode::kInvalidArgument);
  // A private key is not a public key (and must never sit in the keys file).
  EXPECT_EQ(parse(MakeEcKeyPair().private_pem).code(), absl::StatusCode::kInvalidArgument);
  // A secret that decodes to PEM text is refused rather than taken for a key.
  EXPECT_EQ(parse(absl::WebSafeBase64Escape(MakeEcKeyPair().public_pem)).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace backinstock::testing
