// Request ids (random v4 UUIDs) and contact ids (name-based v5 UUIDs).
#include "server/domain/notification_requests/ids.h"

#include <gtest/gtest.h>

#include "absl/container/flat_hash_set.h"
#include "server/domain/guid.h"

namespace backinstock::domain {
namespace {

TEST(Ids, RequestIdsAreRandomVersion4Uuids) {
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<std::string> id = NewRequestId();
    ASSERT_TRUE(id.ok());
    ASSERT_EQ(NormalizeGuid(*id), *id) << *id;  // canonical lower-case form
    EXPECT_EQ((*id)[14], '4') << *id;
    EXPECT_NE(std::string("89ab").find((*id)[19]), std::string::npos) << *id;
    EXPECT_TRUE(seen.insert(*id).second);
  }
}

TEST(Ids, ContactIdIsAVersion5UuidOfSiteAndLowerCasedEmail) {
  // Expected values computed independently with Python's uuid.uuid5 in the
  // service's namespace 6f1c2a4e-930b-4d57-a83e-51c97d20b416.
  EXPECT_EQ(ContactId("site-1", "alice@example.com"), "e5447b4e-0c20-5d8a-85be-7c640e6718d4");
  EXPECT_EQ(ContactId("site-1", "ALICE@Example.COM"), "e5447b4e-0c20-5d8a-85be-7c640e6718d4");
  EXPECT_EQ(ContactId("site-2", "alice@example.com"), "f74cc780-a110-56b3-87f4-e982a8cda15f");
}

}  // namespace
}  // namespace backinstock::domain
