// The EmailTemplateStore contract stated once and run against each backend
// (memory, durable, etcd), then what only some backends add: restarts of the
// durable store, and one etcd replica seeing another's writes.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/store/durable_email_template_store.h"
#include "server/store/etcd/etcd_backend.h"
#include "server/store/etcd/keys.h"
#include "server/store/memory_email_template_store.h"
#include "tests/durability/temp_dir.h"
#include "tests/support/etcd_cluster.h"
#include "tests/support/eventually.h"

namespace backinstock::testing {
namespace {

using store::EmailTemplateRecord;
using store::EmailTemplateStore;

EmailTemplateRecord Record(int64_t revision, const std::string& subject) {
  EmailTemplateRecord record;
  record.revision = revision;
  record.email_template.set_subject(subject);
  record.email_template.set_sender_name("Acme");
  return record;
}

// A unique site per test: the etcd cluster is shared by a whole suite. Site
// names are [A-Za-z0-9._-] (typed suites are named "Suite/0").
std::string Site(absl::string_view suffix = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return absl::StrReplaceAll(absl::StrCat(info->test_suite_name(), ".", info->name(), suffix),
                             {{"/", "-"}});
}

void ExpectSame(const EmailTemplateRecord& actual, const EmailTemplateRecord& expected) {
  EXPECT_EQ(actual.revision, expected.revision);
  EXPECT_EQ(actual.email_template.subject(), expected.email_template.subject());
  EXPECT_EQ(actual.email_template.sender_name(), expected.email_template.sender_name());
}

struct MemoryBackend {
  static constexpr bool kSlow = false;
  std::unique_ptr<EmailTemplateStore> Open() {
    return std::make_unique<store::MemoryEmailTemplateStore>();
  }
};

struct DurableBackend {
  static constexpr bool kSlow = false;
  std::unique_ptr<TempDir> dir = std::make_unique<TempDir>("email-template-store");
  std::unique_ptr<EmailTemplateStore> Open() {
    auto store = store::DurableEmailTemplateStore::Open(dir->path());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
};

// One single-member cluster for the whole program (starting etcd per test
// would dominate the run), stopped by the test environment at the end.
class SharedEtcd : public ::testing::Environment {
 public:
  static EtcdCluster* Get() {
    if (!cluster_) {
      auto started = EtcdCluster::Start(1);
      EXPECT_TRUE(started.ok()) << started.status();
      if (started.ok()) cluster_ = *std::move(started);
    }
    return cluster_.get();
  }
  void TearDown() override { cluster_.reset(); }

 private:
  static std::unique_ptr<EtcdCluster> cluster_;
};
std::unique_ptr<EtcdCluster> SharedEtcd::cluster_;
const auto* const kSharedEtcd = ::testing::AddGlobalTestEnvironment(new SharedEtcd);

struct EtcdBackendHolder {
  static constexpr bool kSlow = true;
  std::unique_ptr<store::etcd::EtcdBackend> backend;
  std::unique_ptr<EmailTemplateStore> Open() {
    EXPECT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
    EtcdCluster* cluster = SharedEtcd::Get();
    if (cluster == nullptr) return nullptr;
    store::etcd::EtcdOptions options;
    options.endpoints = {cluster->ClientAddress(0)};
    auto opened = store::etcd::EtcdBackend::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return nullptr;
    backend = *std::move(opened);
    return backend->NewEmailTemplateStore();
  }
};

template <typename Backend>
class EmailTemplateStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.Open();
    ASSERT_NE(store_, nullptr);
  }
  // The store goes before its backend (etcd's must outlive its stores).
  void TearDown() override { store_.reset(); }

  Backend backend_;
  std::unique_ptr<EmailTemplateStore> store_;
};

using Backends = ::testing::Types<MemoryBackend, DurableBackend, EtcdBackendHolder>;
TYPED_TEST_SUITE(EmailTemplateStoreContract, Backends);

TYPED_TEST(EmailTemplateStoreContract, ANeverWrittenSiteIsAtRevisionZero) {
  absl::StatusOr<EmailTemplateRecord> record = this->store_->Get(Site());
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->revision, 0);
  EXPECT_EQ(record->email_template.ByteSizeLong(), 0u);
}

TYPED_TEST(EmailTemplateStoreContract, CompareAndSwapAppliesOnlyOnTheExpectedRevision) {
  const std::string site = Site();
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 0, Record(1, "first")).ok());
  EXPECT_EQ(this->store_->CompareAndSwap(site, 0, Record(1, "lost race")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(this->store_->CompareAndSwap(site, 1, Record(3, "skips one")).code(),
            absl::StatusCode::kInvalidArgument);
  ExpectSame(*this->store_->Get(site), Record(1, "first"));
  ASSERT_TRUE(this->store_->CompareAndSwap(site, 1, Record(2, "second")).ok());
  ExpectSame(*this->store_->Get(site), Record(2, "second"));
  EXPECT_EQ(this->store_->CompareAndSwap(site, 1, Record(2, "stale")).code(),
            absl::StatusCode::kAborted);
  ExpectSame(*this->store_->Get(site), Record(2, "second"));
}

TYPED_TEST(EmailTemplateStoreContract, SitesAreIndependent) {
  ASSERT_TRUE(this->store_->CompareAndSwap(Site("-a"), 0, Record(1, "a")).ok());
  EXPECT_EQ(this->store_->Get(Site("-b"))->revision, 0);
  ASSERT_TRUE(this->store_->CompareAndSwap(Site("-b"), 0, Record(1, "b")).ok());
  ExpectSame(*this->store_->Get(Site("-a")), Record(1, "a"));
  ExpectSame(*this->store_->Get(Site("-b")), Record(1, "b"));
}

TYPED_TEST(EmailTemplateStoreContract, ConcurrentWritersEachApplyExactlyOnce) {
  const std::string site = Site();
  const int kThreads = 4;
  const int kWrites = TypeParam::kSlow ? 5 : 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        for (;;) {
          absl::StatusOr<EmailTemplateRecord> current = this->store_->Get(site);
          if (!current.ok()) {
            ++failures;
            return;
          }
          absl::Status written = this->store_->CompareAndSwap(
              site, current->revision,
              Record(current->revision + 1, absl::StrCat("writer ", t, " write ", i)));
          if (written.ok()) break;
          if (!absl::IsAborted(written)) {
            ++failures;
            return;
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(this->store_->Get(site)->revision, kThreads * kWrites);
}

TEST(DurableEmailTemplateStore, ARestartRestoresEveryAcknowledgedTemplate) {
  TempDir dir("email-template-restart");
  {
    auto store = store::DurableEmailTemplateStore::Open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    for (int site = 0; site < 10; ++site) {
      for (int revision = 1; revision <= site % 3 + 1; ++revision) {
        ASSERT_TRUE((*store)
                        ->CompareAndSwap(absl::StrCat("site-", site), revision - 1,
                                         Record(revision, absl::StrCat("s", site, " r", revision)))
                        .ok());
      }
    }
    EXPECT_EQ((*store)->CompareAndSwap("site-0", 0, Record(1, "refused")).code(),
              absl::StatusCode::kAborted);
  }
  auto store = store::DurableEmailTemplateStore::Open(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->SiteCount(), 10u);
  for (int site = 0; site < 10; ++site) {
    const int revision = site % 3 + 1;
    ExpectSame(*(*store)->Get(absl::StrCat("site-", site)),
               Record(revision, absl::StrCat("s", site, " r", revision)));
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
      store::DurableEmailTemplateStore::EncodeValue(Record(7, "seven")));
  ASSERT_TRUE(round_trip.ok()) << round_trip.status();
  ExpectSame(*round_trip, Record(7, "seven"));
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
  std::unique_ptr<EmailTemplateStore> writer = first.Open();
  std::unique_ptr<EmailTemplateStore> reader = second.Open();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  const std::string site = Site();
  ASSERT_TRUE(writer->CompareAndSwap(site, 0, Record(1, "from the first")).ok());
  EXPECT_TRUE(Eventually([&] { return reader->Get(site)->revision == 1; }));
  ExpectSame(*reader->Get(site), Record(1, "from the first"));
  // The reader writes on top of what it learnt; the writer learns it too.
  ASSERT_TRUE(reader->CompareAndSwap(site, 1, Record(2, "from the second")).ok());
  EXPECT_TRUE(Eventually([&] { return writer->Get(site)->revision == 2; }));
  ExpectSame(*writer->Get(site), Record(2, "from the second"));
  // A write on a revision the replica's cache has not seen yet is checked
  // against etcd itself: a stale writer loses, a caught-up one wins.
  EXPECT_EQ(writer->CompareAndSwap(site, 1, Record(2, "stale")).code(), absl::StatusCode::kAborted);
  writer.reset();
  reader.reset();
}

}  // namespace
}  // namespace backinstock::testing
