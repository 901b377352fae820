// Email templates with --store=etcd: two real server replicas over a real
// 3-member etcd cluster see each other's updates (through each replica's
// watch), guard them by revision, and keep them across a replica restart.
#include <gtest/gtest.h>

#include <thread>

#include "tests/server/store/etcd/replicas.h"
#include "tests/support/email_calls.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

class EmailEtcdTest : public EtcdReplicasTest {
 protected:
  EmailCalls Email(Replica& replica) { return EmailCalls(replica.channel); }
  const Credentials owner_ = As("etcd-shop", "user");
};

TEST_F(EmailEtcdTest, ReplicasSeeEachOthersUpdatesAndGuardRevisions) {
  EmailCalls a = Email(A());
  EmailCalls b = Email(B());
  v1::EmailTemplate values;
  values.set_subject("From A: {{item.name}}");
  absl::StatusOr<v1::EmailTemplate> written = a.Update(owner_, values, {"subject"});
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->revision(), 1);
  // B learns it through its cache's watch.
  EXPECT_TRUE(Eventually([&] {
    absl::StatusOr<v1::EmailTemplate> seen = b.Get(owner_);
    return seen.ok() && seen->revision() == 1;
  }));
  EXPECT_EQ(b.Get(owner_)->subject(), "From A: {{item.name}}");

  // B updates on top, with the revision it read; A sees that too.
  values.set_subject("From B");
  absl::StatusOr<v1::EmailTemplate> on_top = b.Update(owner_, values, {"subject"}, 1);
  ASSERT_TRUE(on_top.ok()) << on_top.status();
  EXPECT_EQ(on_top->revision(), 2);
  EXPECT_TRUE(Eventually([&] { return a.Get(owner_)->subject() == "From B"; }));

  // A writer holding revision 1 loses on either replica.
  values.set_subject("Stale");
  EXPECT_EQ(errors::ReasonOf(a.Update(owner_, values, {"subject"}, 1).status()),
            "REVISION_MISMATCH");
  EXPECT_EQ(errors::ReasonOf(b.Update(owner_, values, {"subject"}, 1).status()),
            "REVISION_MISMATCH");

  // A caller who read revision 2 on B may write it through A at once, even
  // if A's cache were behind: A checks the revision against etcd.
  values.set_subject("Through A with B's revision");
  absl::StatusOr<v1::EmailTemplate> third = a.Update(owner_, values, {"subject"}, 2);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->revision(), 3);

  // Other sites are untouched; the preview on B renders the shared template.
  EXPECT_EQ(b.Get(As("etcd-other", "user"))->revision(), 0);
  EXPECT_TRUE(Eventually([&] { return b.Get(owner_)->revision() == 3; }));
  v1::RenderEmailPreviewRequest preview;
  *preview.mutable_item_details() = Item("Chair");
  EXPECT_EQ(b.Preview(owner_, preview)->subject(), "Through A with B's revision");
}

TEST_F(EmailEtcdTest, ConcurrentUpdatesThroughBothReplicasAllApply) {
  // Each replica sets its own field 10 times; every update lands exactly once
  // (revision 20 at the end), whichever replica wins each race.
  EmailCalls a = Email(A());
  EmailCalls b = Email(B());
  auto writer = [&](EmailCalls& calls, const std::string& field) {
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(calls.Set(owner_, field, field + " " + std::to_string(i)).ok());
    }
  };
  std::thread through_a([&] { writer(a, "heading"); });
  std::thread through_b([&] { writer(b, "footer"); });
  through_a.join();
  through_b.join();
  EXPECT_TRUE(Eventually([&] {
    absl::StatusOr<v1::EmailTemplate> t = a.Get(owner_);
    return t.ok() && t->revision() == 20;
  }));
  absl::StatusOr<v1::EmailTemplate> final_template = b.Get(owner_);
  ASSERT_TRUE(final_template.ok());
  EXPECT_TRUE(Eventually([&] { return b.Get(owner_)->revision() == 20; }));
  EXPECT_EQ(b.Get(owner_)->heading(), "heading 9");
  EXPECT_EQ(b.Get(owner_)->footer(), "footer 9");
}

TEST_F(EmailEtcdTest, ANewReplicaLoadsTheStoredTemplates) {
  v1::EmailTemplate values;
  values.set_sender_name("Kept in etcd");
  ASSERT_TRUE(Email(A()).Update(owner_, values, {"sender_name"}).ok());
  ASSERT_NO_FATAL_FAILURE(StartReplica());
  absl::StatusOr<v1::EmailTemplate> read = Email(replicas_.back()).Get(owner_);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->sender_name(), "Kept in etcd");
  EXPECT_EQ(read->revision(), 1);
}

}  // namespace
}  // namespace backinstock::testing
