// A 3-member etcd cluster and backinstock-server replicas over it
// (--store=etcd), each replica a real process delivering emails into a
// Maildir of its own (or to a relay a test names); plus the calls the etcd
// tests make.
#ifndef BACKINSTOCK_TESTS_SERVER_STORE_ETCD_REPLICAS_H_
#define BACKINSTOCK_TESTS_SERVER_STORE_ETCD_REPLICAS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/etcd_cluster.h"
#include "tests/support/maildir.h"
#include "tests/support/request_calls.h"
#include "tests/support/server_process.h"
#include "tests/support/settings_calls.h"
#include "tests/support/test_keys.h"
#include "tests/support/test_server.h"

namespace backinstock::testing {

struct Replica {
  std::unique_ptr<ServerProcess> process;
  std::string mail_dir;  // empty when the replica sends to a relay
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<SettingsCalls> settings;
  std::unique_ptr<RequestCalls> requests;
};

class EtcdReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartCluster());
    for (int i = 0; i < 2; ++i) ASSERT_NO_FATAL_FAILURE(StartReplica());
  }

  void StartCluster() {
    // make deps installs etcd: a missing one is a failure, not a silent skip.
    ASSERT_TRUE(EtcdCluster::Available()) << "etcd is not installed (make deps)";
    keys_file_ = TempPath("etcd-keys");
    std::ofstream(keys_file_) << TestKeysJson();
    auto cluster = EtcdCluster::Start(3);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  void TearDown() override {
    replicas_.clear();
    cluster_.reset();
    for (const std::string& path : files_) RemoveTree(path);
    if (!keys_file_.empty()) std::remove(keys_file_.c_str());
  }

  // `extra_args` are added to the command line; unless they name a relay
  // (--smtp_url), the replica delivers into a new Maildir of its own.
  void StartReplica(const std::vector<std::string>& extra_args = {}) {
    Replica replica;
    bool relay = false;
    for (const std::string& arg : extra_args) relay |= arg.rfind("--smtp_url", 0) == 0;
    if (!relay) {
      replica.mail_dir = TempPath("etcd-maildir");
      files_.push_back(replica.mail_dir);
    }
    ServerProcess::Options options;
    options.args = {absl::StrCat("--keys_file=", keys_file_), "--store=etcd",
                    absl::StrCat("--etcd_endpoints=", cluster_->Endpoints()),
                    "--audit_log=/dev/null", "--shutdown_grace=0s"};
    if (!relay) options.args.push_back("--mail_dir=" + replica.mail_dir);
    options.args.insert(options.args.end(), extra_args.begin(), extra_args.end());
    auto process = ServerProcess::Start(options);
    ASSERT_TRUE(process.ok()) << process.status();
    replica.process = *std::move(process);
    replica.channel =
        grpc::CreateChannel(replica.process->address(), grpc::InsecureChannelCredentials());
    replica.settings = std::make_unique<SettingsCalls>(replica.channel);
    replica.requests = std::make_unique<RequestCalls>(replica.channel);
    replicas_.push_back(std::move(replica));
  }

  Replica& A() { return replicas_[0]; }
  Replica& B() { return replicas_[1]; }

  // The request ids of the emails in a replica's Maildir (from each
  // Message-ID, "<request-id@domain>"), one per email.
  static std::vector<std::string> MailedIds(const Replica& replica) {
    std::vector<std::string> ids;
    for (const MaildirMessage& email : ReadMaildir(replica.mail_dir)) {
      const std::string& id = email.message_id;
      ids.push_back(id.substr(1, id.find('@') - 1));
    }
    return ids;
  }

  std::string keys_file_;
  std::vector<std::string> files_;
  std::unique_ptr<EtcdCluster> cluster_;
  std::vector<Replica> replicas_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SERVER_STORE_ETCD_REPLICAS_H_
