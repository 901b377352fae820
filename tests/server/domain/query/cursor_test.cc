// The cursor codec: round trip, and refusal of anything altered, foreign or
// malformed.
#include "server/domain/query/cursor.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "backinstock/errors/error.h"
#include "nlohmann/json.hpp"

namespace backinstock::domain::query {
namespace {

CursorState SampleState() {
  CursorState state;
  state.filter = CanonicalFilter(google::protobuf::Struct());
  state.order = {{Field::kAutoNotified, true}, {Field::kCreatedDate, false}, {Field::kId, false}};
  state.limit = 7;
  state.anchor.backward = true;
  state.anchor.inclusive = false;
  state.anchor.position = {Value(std::monostate{}), Value(int64_t{-5}),
                           Value(std::string("id-\xff"))};
  return state;
}

void ExpectInvalidCursor(const absl::StatusOr<CursorState>& decoded, const std::string& what) {
  ASSERT_FALSE(decoded.ok()) << what;
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument) << what;
  EXPECT_EQ(errors::ReasonOf(decoded.status()), "INVALID_CURSOR") << what;
  EXPECT_EQ(errors::BadRequestOf(decoded.status())->field_violations(0).field(),
            "query.cursor_paging.cursor");
}

TEST(CursorCodec, RoundTrips) {
  CursorCodec codec = *CursorCodec::WithRandomSecret();
  const CursorState state = SampleState();
  const std::string cursor = *codec.Encode("site-1", state);
  absl::StatusOr<CursorState> decoded = codec.Decode("site-1", cursor);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->filter, state.filter);
  EXPECT_EQ(decoded->order, state.order);
  EXPECT_EQ(decoded->limit, 7);
  EXPECT_EQ(decoded->anchor, state.anchor);
}

// Replicas sharing a secret accept each other's cursors, across versions of
// this server too: the bytes are pinned to the format as first written, the
// payload built here from an initializer list and signed with OpenSSL's
// one-shot HMAC().
TEST(CursorCodec, FormatIsPinned) {
  const std::string secret(32, 'k');
  CursorCodec codec = *CursorCodec::WithSecret(secret);
  const CursorState state = SampleState();
  using Json = nlohmann::json;
  const Json payload = {
      {"v", 1},
      {"f", Json::binary(std::vector<uint8_t>(state.filter.begin(), state.filter.end()))},
      {"s",
       Json::array({Json::array({3, true}), Json::array({4, false}), Json::array({0, false})})},
      {"l", 7},
      {"b", true},
      {"i", false},
      {"p", Json::array({nullptr, -5, "id-\xff"})},
  };
  const std::vector<uint8_t> cbor = Json::to_cbor(payload);
  const std::string bytes(cbor.begin(), cbor.end());
  const std::string input = absl::StrCat("backinstock.v1 query cursor\n6:site-1", bytes);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &mac_length);
  ASSERT_EQ(mac_length, 32u);
  EXPECT_EQ(*codec.Encode("site-1", state),
            absl::WebSafeBase64Escape(
                absl::StrCat(bytes, std::string(reinterpret_cast<const char*>(mac), mac_length))));
}

TEST(CursorCodec, EveryAlteredCharacterIsRefused) {
  CursorCodec codec = *CursorCodec::WithRandomSecret();
  const std::string cursor = *codec.Encode("site-1", SampleState());
  for (size_t i = 0; i < cursor.size(); ++i) {
    for (char replacement : {'A', 'z', '_'}) {
      if (cursor[i] == replacement) continue;
      std::string altered = cursor;
      altered[i] = replacement;
      ExpectInvalidCursor(codec.Decode("site-1", altered), "position " + std::to_string(i));
    }
  }
  ExpectInvalidCursor(codec.Decode("site-1", cursor + "A"), "appended");
  ExpectInvalidCursor(codec.Decode("site-1", cursor.substr(1)), "truncated");
}

TEST(CursorCodec, BoundToSiteAndSecret) {
  CursorCodec codec = *CursorCodec::WithSecret(std::string(32, 'k'));
  const std::string cursor = *codec.Encode("site-1", SampleState());
  ExpectInvalidCursor(codec.Decode("site-2", cursor), "other site");
  CursorCodec other = *CursorCodec::WithSecret(std::string(32, 'j'));
  ExpectInvalidCursor(other.Decode("site-1", cursor), "other secret");
  // The same secret in another process (a replica) accepts it.
  CursorCodec replica = *CursorCodec::WithSecret(std::string(32, 'k'));
  EXPECT_TRUE(replica.Decode("site-1", cursor).ok());
}

TEST(CursorCodec, RefusesGarbage) {
  CursorCodec codec = *CursorCodec::WithRandomSecret();
  for (const std::string& garbage : {std::string("x"), std::string("not base64!"),
                                     std::string(200, 'A'), std::string(70000, 'A')}) {
    ExpectInvalidCursor(codec.Decode("site-1", garbage), garbage.substr(0, 20));
  }
}

TEST(CursorCodec, ShortSecretsAreRefused) {
  EXPECT_FALSE(CursorCodec::WithSecret(std::string(31, 'k')).ok());
}

}  // namespace
}  // namespace backinstock::domain::query
