#include "server/store/open_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "server/store/catalog_key.h"

namespace backinstock::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using Request = v1::BackInStockNotificationRequest;

v1::CatalogReference Item(const std::string& item_id) {
  v1::CatalogReference reference;
  reference.set_catalog_item_id(item_id);
  reference.set_app_id("215238eb-22a5-4c36-9e7b-e7c08025e04e");
  return reference;
}

Request Make(const std::string& id, const std::string& item_id, Request::Status status) {
  Request request;
  request.set_id(id);
  *request.mutable_catalog_reference() = Item(item_id);
  request.set_status(status);
  return request;
}

const std::string kShirt = CatalogKey(Item("shirt"));
const std::string kHat = CatalogKey(Item("hat"));

TEST(OpenIndex, CountsAndListsOpenRequestsPerCatalogReference) {
  OpenIndex index;
  EXPECT_TRUE(index.empty());
  index.Add(Make("1", "shirt", Request::RECEIVED));
  index.Add(Make("2", "shirt", Request::PROCESSING));
  index.Add(Make("3", "hat", Request::RECEIVED));
  EXPECT_FALSE(index.empty());
  EXPECT_THAT(index.Count({kShirt, kHat, CatalogKey(Item("shoe")), kShirt}),
              ElementsAre(2, 1, 0, 2));
  EXPECT_THAT(index.Ids(kShirt), UnorderedElementsAre("1", "2"));
  EXPECT_THAT(index.Ids(kHat), ElementsAre("3"));
  EXPECT_THAT(index.Ids(CatalogKey(Item("shoe"))), IsEmpty());
  EXPECT_THAT(index.Count({}), IsEmpty());
}

TEST(OpenIndex, RequestsThatAreNotOpenAreNeverIndexed) {
  OpenIndex index;
  index.Add(Make("1", "shirt", Request::NOTIFICATION_SENT));
  index.Add(Make("2", "shirt", Request::FAILED));
  EXPECT_TRUE(index.empty());
  EXPECT_THAT(index.Count({kShirt}), ElementsAre(0));
  // Removing a request in a closed status leaves the open one it shares an id with.
  index.Add(Make("3", "shirt", Request::RECEIVED));
  index.Remove(Make("3", "shirt", Request::NOTIFICATION_SENT));
  EXPECT_THAT(index.Ids(kShirt), ElementsAre("3"));
}

TEST(OpenIndex, RemovingTheLastRequestOfAReferenceForgetsTheReference) {
  OpenIndex index;
  index.Add(Make("1", "shirt", Request::RECEIVED));
  index.Add(Make("2", "hat", Request::RECEIVED));
  index.Remove(Make("1", "shirt", Request::RECEIVED));
  EXPECT_THAT(index.Count({kShirt, kHat}), ElementsAre(0, 1));
  EXPECT_FALSE(index.empty());
  index.Remove(Make("2", "hat", Request::PROCESSING));
  EXPECT_TRUE(index.empty()) << "no reference is kept once nobody waits on it";
  // Removing what is not there is harmless.
  index.Remove(Make("2", "hat", Request::RECEIVED));
  index.Remove(Make("9", "shoe", Request::RECEIVED));
  EXPECT_TRUE(index.empty());
}

TEST(OpenIndex, AddingTheSameRequestTwiceCountsItOnce) {
  OpenIndex index;
  index.Add(Make("1", "shirt", Request::RECEIVED));
  index.Add(Make("1", "shirt", Request::PROCESSING));
  EXPECT_THAT(index.Count({kShirt}), ElementsAre(1));
  index.Remove(Make("1", "shirt", Request::PROCESSING));
  EXPECT_TRUE(index.empty());
}

}  // namespace
}  // namespace backinstock::store
