// What some email template store backends add to the EmailTemplateStore
// contract (which tests/server/store/store_contract_test.cc runs against every
// backend): restarts of the durable store, and one etcd replica seeing
// another's writes.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/store/durable_email_template_store.h"
#include "server/store/etcd/keys.h"
#include "tests/server/store/store_backends.h"
#include "tests/support/eventually.h"
#include "tests/support/temp_dir.h"

namespace backinstock::testing {
namespace {

using store::EmailTemplateRecord;
using store::EmailTemplateStore;

TEST(DurableEmailTemplateStore, ARestartRestoresEveryAcknowledgedTemplate) {
  TempDir dir("email-template-restart");
  {
    auto store = store::DurableEmailTemplateStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    for (int site = 0; site < 10; ++site) {
      for (int revision = 1; revision <= site % 3 + 1; ++revision) {
        ASSERT_TRUE(
            (*store)
                ->CompareAndSwap(absl::StrCat("site-", site), revision - 1,
                                 TemplateRecord(revision, absl::StrCat("s", site, " r", revision)))
                .ok());
      }
    }
    EXPECT_EQ((*store)->CompareAndSwap("site-0", 0, TemplateRecord(1, "refused")).code(),
              absl::StatusCode::kAborted);
  }
  auto store = store::DurableEmailTemplateStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->SiteCount(), 10u);
  for (int site = 0; site < 10; ++site) {
    const int revision = site % 3 + 1;
    ExpectSameTemplate(*(*store)->Get(absl::StrCat("site-", site)),
                       TemplateRecord(revision, absl::StrCat("s", site, " r", revision)));
  }
  EXPECT_EQ((*store)->Get("never")->revision, 0);
}

TEST(DurableEmailTemplateStore, AValueThatDoesNotDecodeIsDataLoss) {
  EXPECT_EQ(store::DurableEmailTemplateStore::DecodeValue("\xff\xff").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(store::DurableEmailTemplateStore::DecodeValue("").status().code(),
            absl::StatusCode::kDataLoss)
      << "a record without a revision";
  absl::StatusOr<EmailTemplateRecord> round_trip = store::DurableEmailTemplateStore::DecodeValue(
      store::DurableEmailTemplateStore::EncodeValue(TemplateRecord(7, "seven")));
  ASSERT_TRUE(round_trip.ok()) << round_trip.status();
  ExpectSameTemplate(*round_trip, TemplateRecord(7, "seven"));
}

TEST(EtcdEmailTemplateStore, TheKeyIsTheSitesOwnAndParsesBack) {
  const std::string key = store::etcd::EmailTemplateKey("shop.example-1");
  EXPECT_EQ(key, "/backinstock/v1/sites/shop.example-1/email_template");
  store::etcd::ParsedKey parsed = store::etcd::ParseKey(key);
  EXPECT_EQ(parsed.kind, store::etcd::ParsedKey::Kind::kEmailTemplate);
  EXPECT_EQ(parsed.site, "shop.example-1");
  EXPECT_EQ(store::etcd::ParseKey(key + "/x").kind, store::etcd::ParsedKey::Kind::kUnknown);
}

TEST(EtcdEmailTemplateStore, OneReplicaSeesAnotherReplicasWritesThroughItsWatch) {
  EtcdBackendHolder first;
  EtcdBackendHolder second;
  std::unique_ptr<EmailTemplateStore> writer = first.OpenEmailTemplates();
  std::unique_ptr<EmailTemplateStore> reader = second.OpenEmailTemplates();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  const std::string site = UniqueSite();
  ASSERT_TRUE(writer->CompareAndSwap(site, 0, TemplateRecord(1, "from the first")).ok());
  EXPECT_TRUE(Eventually([&] { return reader->Get(site)->revision == 1; }));
  ExpectSameTemplate(*reader->Get(site), TemplateRecord(1, "from the first"));
  // The reader writes on top of what it learnt; the writer learns it too.
  ASSERT_TRUE(reader->CompareAndSwap(site, 1, TemplateRecord(2, "from the second")).ok());
  EXPECT_TRUE(Eventually([&] { return writer->Get(site)->revision == 2; }));
  ExpectSameTemplate(*writer->Get(site), TemplateRecord(2, "from the second"));
  // A write on a revision the replica's cache has not seen yet is checked
  // against etcd itself: a stale writer loses, a caught-up one wins.
  EXPECT_EQ(writer->CompareAndSwap(site, 1, TemplateRecord(2, "stale")).code(),
            absl::StatusCode::kAborted);
  writer.reset();
  reader.reset();
}

}  // namespace
}  // namespace backinstock::testing
