#include "tests/server/store/store_backends.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/store/durable_email_template_store.h"
#include "server/store/durable_notification_request_store.h"
#include "server/store/durable_settings_store.h"
#include "server/store/memory_email_template_store.h"
#include "server/store/memory_notification_request_store.h"
#include "server/store/memory_settings_store.h"
#include "tests/support/etcd_cluster.h"

namespace backinstock::testing {
namespace {

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

}  // namespace

std::string UniqueSite(absl::string_view suffix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return absl::StrReplaceAll(absl::StrCat(info->test_suite_name(), ".", info->name(), suffix),
                             {{"/", "-"}});
}

std::unique_ptr<store::SettingsStore> MemoryBackend::OpenSettings() {
  return std::make_unique<store::MemorySettingsStore>();
}

std::unique_ptr<store::EmailTemplateStore> MemoryBackend::OpenEmailTemplates() {
  return std::make_unique<store::MemoryEmailTemplateStore>();
}

std::unique_ptr<store::SettingsStore> DurableBackend::OpenSettings() {
  auto store = store::DurableSettingsStore::Open(*dir / "settings");
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::unique_ptr<store::EmailTemplateStore> DurableBackend::OpenEmailTemplates() {
  auto store = store::DurableEmailTemplateStore::Open(*dir / "email_templates");
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

store::etcd::EtcdBackend* EtcdBackendHolder::Backend() {
  if (backend) return backend.get();
  EXPECT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
  EtcdCluster* cluster = SharedEtcd::Get();
  if (cluster == nullptr) return nullptr;
  store::etcd::EtcdOptions options;
  options.endpoints = {cluster->ClientAddress(0)};
  auto opened = store::etcd::EtcdBackend::Open(options);
  EXPECT_TRUE(opened.ok()) << opened.status();
  if (!opened.ok()) return nullptr;
  backend = *std::move(opened);
  return backend.get();
}

std::unique_ptr<store::SettingsStore> EtcdBackendHolder::OpenSettings() {
  store::etcd::EtcdBackend* opened = Backend();
  return opened ? opened->NewSettingsStore() : nullptr;
}

std::unique_ptr<store::EmailTemplateStore> EtcdBackendHolder::OpenEmailTemplates() {
  store::etcd::EtcdBackend* opened = Backend();
  return opened ? opened->NewEmailTemplateStore() : nullptr;
}

std::unique_ptr<store::NotificationRequestStore> MemoryBackend::OpenRequests() {
  return std::make_unique<store::MemoryNotificationRequestStore>();
}

std::unique_ptr<store::NotificationRequestStore> DurableBackend::OpenRequests() {
  auto store = store::DurableNotificationRequestStore::Open(*dir / "requests");
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::unique_ptr<store::NotificationRequestStore> EtcdBackendHolder::OpenRequests() {
  store::etcd::EtcdBackend* opened = Backend();
  return opened ? opened->NewRequestStore() : nullptr;
}

}  // namespace backinstock::testing
