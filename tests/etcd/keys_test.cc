// The etcd key layout and counter encoding (no cluster needed).
#include "server/store/etcd/keys.h"

#include <gtest/gtest.h>

#include "server/store/etcd/codec.h"

namespace backinstock::store::etcd {
namespace {

TEST(EtcdKeysTest, EveryKeyParsesBackToWhatItNames) {
  EXPECT_EQ(SettingsKey("shop-1"), "/backinstock/v1/sites/shop-1/settings");
  EXPECT_EQ(RequestKey("shop-1", "abc"), "/backinstock/v1/sites/shop-1/requests/abc");
  EXPECT_EQ(OpenIndexKey("shop-1", "f00d"), "/backinstock/v1/sites/shop-1/open/f00d");
  EXPECT_EQ(CounterKey("shop-1"), "/backinstock/v1/sites/shop-1/count");

  ParsedKey settings = ParseKey(SettingsKey("a.b_c-1"));
  EXPECT_EQ(settings.kind, ParsedKey::Kind::kSettings);
  EXPECT_EQ(settings.site, "a.b_c-1");
  ParsedKey request = ParseKey(RequestKey("s", "id-1"));
  EXPECT_EQ(request.kind, ParsedKey::Kind::kRequest);
  EXPECT_EQ(request.site, "s");
  EXPECT_EQ(request.id, "id-1");
  EXPECT_EQ(ParseKey(OpenIndexKey("s", "k")).kind, ParsedKey::Kind::kOpenIndex);
  EXPECT_EQ(ParseKey(CounterKey("s")).kind, ParsedKey::Kind::kCounter);
}

TEST(EtcdKeysTest, ForeignOrMalformedKeysAreUnknown) {
  for (const char* key : {"/other/v1/sites/s/settings", "/backinstock/v1/sites//settings",
                          "/backinstock/v1/sites/s/requests/", "/backinstock/v1/sites/s/x",
                          "/backinstock/v1/sites/s/requests/a/b", "/backinstock/v2/sites/s/count"}) {
    EXPECT_EQ(ParseKey(key).kind, ParsedKey::Kind::kUnknown) << key;
  }
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
