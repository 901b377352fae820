// The writes a replica waits to see: only expected nonces are remembered, at
// the revision they were first seen, until they are forgotten.
#include "server/store/etcd/writer_registry.h"

#include <gtest/gtest.h>

namespace backinstock::store::etcd {
namespace {

TEST(WriterRegistryTest, RemembersWhereAnExpectedWriterWasFirstSeen) {
  WriterRegistry writers;
  writers.Expect("replica-a.1");
  EXPECT_EQ(writers.SeenAt("replica-a.1"), 0);

  writers.Seen("replica-a.1", 42);
  EXPECT_EQ(writers.SeenAt("replica-a.1"), 42);
  // The first sighting counts: a later value with the same nonce (a retried
  // write's echo) does not move it.
  writers.Seen("replica-a.1", 50);
  EXPECT_EQ(writers.SeenAt("replica-a.1"), 42);
  // Expecting it again keeps what was seen.
  writers.Expect("replica-a.1");
  EXPECT_EQ(writers.SeenAt("replica-a.1"), 42);

  writers.Forget("replica-a.1");
  EXPECT_EQ(writers.SeenAt("replica-a.1"), 0);
  // Forgotten, it is no longer noted.
  writers.Seen("replica-a.1", 60);
  EXPECT_EQ(writers.SeenAt("replica-a.1"), 0);
}

TEST(WriterRegistryTest, IgnoresWritersNobodyExpects) {
  WriterRegistry writers;
  writers.Expect("replica-a.2");
  writers.Seen("replica-b.9", 7);
  EXPECT_EQ(writers.SeenAt("replica-b.9"), 0);
  EXPECT_EQ(writers.SeenAt("replica-a.2"), 0);
  // An unknown nonce that is expected later starts unseen.
  writers.Expect("replica-b.9");
  EXPECT_EQ(writers.SeenAt("replica-b.9"), 0);
  writers.Seen("replica-b.9", 8);
  EXPECT_EQ(writers.SeenAt("replica-b.9"), 8);
  EXPECT_EQ(writers.SeenAt("replica-a.2"), 0);
}

}  // namespace
}  // namespace backinstock::store::etcd
