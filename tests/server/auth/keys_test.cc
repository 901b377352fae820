#include "server/auth/keys.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "tests/support/test_keys.h"

namespace backinstock::auth {
namespace {

std::string B64(const std::string& s) { return absl::WebSafeBase64Escape(s); }

TEST(Keys, ParsesBothSets) {
  absl::StatusOr<Keys> keys = ParseKeys(testing::TestKeysJson());
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->identity.at(testing::kIdentityKid), testing::kIdentitySecret);
  EXPECT_EQ(keys->elevation.at(testing::kElevationKid), testing::kElevationSecret);
  EXPECT_FALSE(keys->development_only);
}

TEST(Keys, AcceptsPaddedBase64Url) {
  const std::string secret(33, 'k');
  absl::StatusOr<Keys> keys = ParseKeys(R"({"identity_keys": {"a": ")" + B64(secret) + "=\"}}");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->identity.at("a"), secret);
}

TEST(Keys, RefusesBadFiles) {
  const std::string good = B64(std::string(32, 'k'));
  for (const std::string& json : {
           std::string("not json"),
           std::string("[]"),
           std::string(R"({"elevation_keys": {"e": ")" + good + "\"}}"),  // no identity key
           std::string(R"({"identity_keys": {"a": ")" + B64(std::string(31, 'k')) + "\"}}"),
           std::string(R"({"identity_keys": {"a": "not base64!"}})"),
           std::string(R"({"identity_keys": {"a": 42}})"),
           std::string(R"({"identity_keys": []})"),
           std::string(R"({"identity_keys": {"": ")" + good + "\"}}"),
       }) {
    EXPECT_FALSE(ParseKeys(json).ok()) << json;
  }
}

TEST(Keys, RefusesPemThatIsNotAPublicKeyAndWhitespaceInSecrets) {
  // The body is pure base64url, so a decoder that skips whitespace and takes
  // '-' as a digit would read this whole private-key block as a 50-odd byte
  // secret (this happened to a random key in CI).
  const std::string body = B64(std::string(48, 'k'));
  const std::string good = B64(std::string(32, 'k'));
  for (const std::string& value : {
           "-----BEGIN PRIVATE KEY-----\\n" + body + "\\n-----END PRIVATE KEY-----\\n",
           "-----BEGIN EC PRIVATE KEY-----\\n" + body + "\\n-----END EC PRIVATE KEY-----\\n",
           good.substr(0, 20) + " " + good.substr(20),
           good.substr(0, 20) + "\\n" + good.substr(20),
           good + "==x",
       }) {
    absl::StatusOr<Keys> keys = ParseKeys(R"({"identity_keys": {"a": ")" + value + "\"}}");
    EXPECT_EQ(keys.status().code(), absl::StatusCode::kInvalidArgument) << value;
  }
  absl::StatusOr<Keys> keys = ParseKeys(
      R"({"identity_keys": {"a": "-----BEGIN PRIVATE KEY-----\n)" + body + R"(\n-----END"}})");
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.status().message().find("never a private key"), std::string::npos)
      << keys.status();
  EXPECT_EQ(keys.status().message().find(body), std::string::npos) << "the key must not be echoed";
}

TEST(Keys, DevelopmentMarker) {
  absl::StatusOr<Keys> keys = ParseKeys(R"({"development_only": true, "identity_keys": {"a": ")" +
                                        B64(std::string(32, 'k')) + "\"}}");
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->development_only);
}

TEST(Keys, ShippedDevKeysLoad) {
  absl::StatusOr<Keys> keys =
      LoadKeysFile(std::string(BACKINSTOCK_SOURCE_DIR) + "/config/dev-keys.json");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_TRUE(keys->development_only);
  EXPECT_FALSE(keys->identity.empty());
  EXPECT_FALSE(keys->elevation.empty());
}

TEST(Keys, MissingFile) {
  EXPECT_EQ(LoadKeysFile("/nonexistent/keys.json").status().code(), absl::StatusCode::kNotFound);
}

TEST(KeyRing, ReplaceKeepsOldSnapshotsValid) {
  KeyRing ring(*ParseKeys(testing::TestKeysJson()));
  std::shared_ptr<const Keys> before = ring.Current();
  Keys next;
  next.identity.emplace("new", std::string(32, 'n'));
  ring.Replace(next);
  EXPECT_TRUE(before->identity.contains(testing::kIdentityKid));
  EXPECT_TRUE(ring.Current()->identity.contains("new"));
  EXPECT_FALSE(ring.Current()->identity.contains(testing::kIdentityKid));
}

}  // namespace
}  // namespace backinstock::auth
