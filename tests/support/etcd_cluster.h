// A real etcd cluster for tests: Debian's `etcd` binary, N members on loopback
// ports chosen at run time, each with its own temporary data directory. Start
// waits until every member answers a leader-requiring read (no sleeps); the
// destructor kills every member and removes the directories.
#ifndef BACKINSTOCK_TESTS_SUPPORT_ETCD_CLUSTER_H_
#define BACKINSTOCK_TESTS_SUPPORT_ETCD_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace backinstock::testing {

class EtcdCluster {
 public:
  // Whether Debian's etcd binary is installed (tests skip without it).
  static bool Available();

  static absl::StatusOr<std::unique_ptr<EtcdCluster>> Start(int members = 3);
  ~EtcdCluster();

  // "127.0.0.1:port,..." for --etcd_endpoints.
  std::string Endpoints() const;
  std::string ClientAddress(int member) const;
  int size() const { return static_cast<int>(members_.size()); }

  // SIGKILLs one member (its data stays); Restart brings it back on the same
  // ports and data and waits until it serves again.
  absl::Status Kill(int member);
  absl::Status Restart(int member);
  bool Running(int member) const { return members_[member].pid > 0; }

  // SIGSTOPs / SIGCONTs one member: its connections stay open and nothing
  // answers, as with a hung or partitioned machine. Resume every paused
  // member before the test ends.
  absl::Status Pause(int member);
  absl::Status Resume(int member);

  // Waits until `member` answers a read that needs a leader.
  absl::Status WaitHealthy(int member, absl::Duration timeout = absl::Seconds(30)) const;

  // The index of the member that is the leader now.
  absl::StatusOr<int> Leader() const;

  // Compacts the cluster's history up to its current revision (a watcher
  // resuming from before it gets "compacted").
  absl::Status Compact();

  // The member's log (stderr), for failure messages.
  std::string Log(int member) const;

 private:
  struct Member {
    std::string name;
    int client_port = 0;
    int peer_port = 0;
    std::string data_dir;
    std::string log_path;
    pid_t pid = -1;
  };

  EtcdCluster() = default;
  absl::Status Spawn(int member, bool existing);
  std::string InitialCluster() const;

  std::string dir_;
  std::vector<Member> members_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_ETCD_CLUSTER_H_
