// The etcd key layout and counter encoding (no cluster needed).
#include "server/store/etcd/keys.h"

#include <gtest/gtest.h>

#include "server/store/catalog_key.h"
#include "server/store/etcd/codec.h"

namespace backinstock::store::etcd {
namespace {

TEST(EtcdKeysTest, EveryKeyParsesBackToWhatItNames) {
  EXPECT_EQ(SettingsKey("shop-1"), "/backinstock/v1/sites/shop-1/settings");
  EXPECT_EQ(RequestKey("shop-1", "abc"), "/backinstock/v1/sites/shop-1/requests/abc");
  // The open key is hashed (printf 'f00d' | sha256sum).
  EXPECT_EQ(OpenIndexKey("shop-1", "f00d"),
            "/backinstock/v1/sites/shop-1/open/"
            "0f8721b0aef395e63e1c2803f51ff047f74d26ff73229801d4456876e3b9c5d7");
  EXPECT_EQ(ClaimKey("shop-1", "abc"), "/backinstock/v1/sites/shop-1/claims/abc");
  EXPECT_EQ(CounterKey("shop-1"), "/backinstock/v1/sites/shop-1/count");

  ParsedKey settings = ParseKey(SettingsKey("a.b_c-1"));
  EXPECT_EQ(settings.kind, ParsedKey::Kind::kSettings);
  EXPECT_EQ(settings.site, "a.b_c-1");
  ParsedKey request = ParseKey(RequestKey("s", "id-1"));
  EXPECT_EQ(request.kind, ParsedKey::Kind::kRequest);
  EXPECT_EQ(request.site, "s");
  EXPECT_EQ(request.id, "id-1");
  EXPECT_EQ(ParseKey(OpenIndexKey("s", "k")).kind, ParsedKey::Kind::kOpenIndex);
  ParsedKey claim = ParseKey(ClaimKey("s", "id-2"));
  EXPECT_EQ(claim.kind, ParsedKey::Kind::kClaim);
  EXPECT_EQ(claim.site, "s");
  EXPECT_EQ(claim.id, "id-2");
  EXPECT_EQ(ParseKey(CounterKey("s")).kind, ParsedKey::Kind::kCounter);
}

TEST(EtcdKeysTest, OpenKeysHoldADigestNotTheEmail) {
  // An email may contain '/' (RFC 5322 allows it in the local part): the key
  // is still one part, parses as an open index key and does not show the email.
  v1::BackInStockNotificationRequest request;
  request.set_email("Some/One@Example.com");
  request.mutable_catalog_reference()->set_catalog_item_id("sku");
  request.mutable_catalog_reference()->set_app_id("215238eb-22a5-4c36-9e7b-e7c08025e04e");
  const std::string open_key = OpenRequestKeyOf(request);
  EXPECT_NE(open_key.find("some/one@example.com"), std::string::npos);
  const std::string key = OpenIndexKey("shop-1", open_key);
  EXPECT_EQ(key.find("example.com"), std::string::npos) << key;
  EXPECT_EQ(key.find('/', std::string("/backinstock/v1/sites/shop-1/open/").size()),
            std::string::npos)
      << key;
  const ParsedKey parsed = ParseKey(key);
  EXPECT_EQ(parsed.kind, ParsedKey::Kind::kOpenIndex);
  EXPECT_EQ(parsed.site, "shop-1");
  // The same request with its email in another case has the same key.
  request.set_email("some/one@example.COM");
  EXPECT_EQ(OpenIndexKey("shop-1", OpenRequestKeyOf(request)), key);
}

TEST(EtcdKeysTest, ForeignOrMalformedKeysAreUnknown) {
  for (const char* key : {"/other/v1/sites/s/settings", "/backinstock/v1/sites//settings",
                          "/backinstock/v1/sites/s/requests/", "/backinstock/v1/sites/s/x",
                          "/backinstock/v1/sites/s/requests/a/b", "/backinstock/v2/sites/s/count",
                          "/backinstock/v1/sites/s/open/a@b.co", "/backinstock/v1/sites/s/claims/",
                          "/backinstock/v1/sites/s/open/k/a/b@c.co"}) {
    EXPECT_EQ(ParseKey(key).kind, ParsedKey::Kind::kUnknown) << key;
  }
  // The fence names nothing the cache keeps: it is written only for its
  // revision.
  EXPECT_EQ(FenceKey(), "/backinstock/v1/fence");
  EXPECT_EQ(ParseKey(FenceKey()).kind, ParsedKey::Kind::kUnknown);
}

TEST(EtcdKeysTest, PrefixEndIsTheFirstKeyAfterThePrefix) {
  EXPECT_EQ(PrefixEnd("/backinstock/v1/"), "/backinstock/v10");
  EXPECT_EQ(PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixEnd(std::string("\xff\xff", 2)), std::string(1, '\0'));
}

TEST(EtcdKeysTest, CounterValuesSortLikeTheirCountsAndCarryTheWriter) {
  const std::string nine = CounterValue(9, "w1");
  const std::string ten = CounterValue(10, "w2");
  EXPECT_LT(nine, ten);
  EXPECT_EQ(CounterCount(nine), 9);
  EXPECT_EQ(CounterWriter(ten), "w2");
  EXPECT_EQ(CounterCount("garbage"), -1);
  EXPECT_EQ(CounterCount("-3 w"), -1);
}

TEST(EtcdCodecTest, RecordsRoundTripWithTheirWriter) {
  SettingsRecord settings;
  settings.revision = 7;
  settings.states.push_back({"215238eb-22a5-4c36-9e7b-e7c08025e04e", true});
  std::string writer;
  auto decoded = DecodeSettings(EncodeSettings(settings, "nonce-1"), &writer);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, settings);
  EXPECT_EQ(writer, "nonce-1");

  NotificationRequestRecord request;
  request.revision = 3;
  request.request.set_id("id-9");
  request.request.set_email("a@b.co");
  auto back = DecodeRequest(EncodeRequest(request, "nonce-2"), &writer);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->revision, 3);
  EXPECT_EQ(back->request.id(), "id-9");
  EXPECT_EQ(writer, "nonce-2");
  EXPECT_FALSE(DecodeRequest("\xff\xff\xff", nullptr).ok());
}

}  // namespace
}  // namespace backinstock::store::etcd
