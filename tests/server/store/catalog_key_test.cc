// Sha256Hex (and so CatalogKey, which names index entries and stored keys)
// gives the standard SHA-256, on any thread, call after call; CatalogKey's
// encoding is pinned, because etcd key names and journals written by earlier
// versions hold it.
#include "server/store/catalog_key.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace backinstock::store {
namespace {

// FIPS 180-2 test vectors.
TEST(Sha256Hex, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // Twice in a row on one thread: the reused context starts afresh.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Hex, SameAnswersOnManyThreads) {
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &mismatches] {
      for (int i = 0; i < 1000; ++i) {
        if (Sha256Hex("abc") !=
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(CatalogKey, OptionsInAnyOrderGiveOneKey) {
  v1::CatalogReference a;
  a.set_catalog_item_id("item-1");
  a.set_app_id("1380b703-ce81-ff05-f115-39571d94dfcd");
  v1::CatalogReference b = a;
  (*a.mutable_options()->mutable_fields())["size"].set_string_value("M");
  (*a.mutable_options()->mutable_fields())["color"].set_string_value("red");
  (*b.mutable_options()->mutable_fields())["color"].set_string_value("red");
  (*b.mutable_options()->mutable_fields())["size"].set_string_value("M");
  EXPECT_EQ(CatalogKey(a), CatalogKey(b));
  EXPECT_EQ(CatalogKey(a).size(), 64u);
  v1::CatalogReference c = a;
  c.set_catalog_item_id("item-2");
  EXPECT_NE(CatalogKey(a), CatalogKey(c));
}

// The encoding every stored key was made with: each field as
// "<decimal length>:<bytes>", options last ("0:" when absent).
TEST(CatalogKey, EncodingIsPinned) {
  v1::CatalogReference reference;
  reference.set_catalog_item_id("item-1");
  reference.set_app_id("1380b703-ce81-ff05-f115-39571d94dfcd");
  EXPECT_EQ(CatalogKey(reference), Sha256Hex("6:item-136:1380b703-ce81-ff05-f115-39571d94dfcd0:"));
  EXPECT_EQ(CatalogKey(reference), CatalogKey("item-1", reference.app_id(), nullptr));
  (*reference.mutable_options()->mutable_fields())["size"].set_string_value("M");
  EXPECT_EQ(CatalogKey(reference), CatalogKey("item-1", reference.app_id(), &reference.options()));
  EXPECT_NE(CatalogKey(reference), CatalogKey("item-1", reference.app_id(), nullptr));
}

}  // namespace
}  // namespace backinstock::store
