#include "tests/support/etcd_cluster.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace backinstock::testing {
namespace {

constexpr char kEtcdBinary[] = "/usr/bin/etcd";

// `count` distinct ports the kernel just handed out on loopback. All are
// bound at once, so none is handed out twice (one socket closed before the
// next bind could get the same port back, and etcd then refuses the cluster
// for a duplicate URL). They are released before etcd binds them; another
// process taking one in between is possible but rare, and shows up as a
// failed Start rather than a wrong result.
absl::StatusOr<std::vector<int>> FreePorts(int count) {
  std::vector<int> sockets;
  std::vector<int> ports;
  absl::Status status;
  for (int i = 0; i < count; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      status = absl::InternalError("socket");
      break;
    }
    sockets.push_back(fd);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      status = absl::InternalError("bind");
      break;
    }
    ports.push_back(ntohs(address.sin_port));
  }
  for (int fd : sockets) close(fd);
  if (!status.ok()) return status;
  return ports;
}

std::string Url(int port) { return absl::StrCat("http://127.0.0.1:", port); }

void KillAndReap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
}

std::unique_ptr<etcdserverpb::KV::Stub> KvStub(const std::string& address) {
  return etcdserverpb::KV::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

}  // namespace

bool EtcdCluster::Available() { return access(kEtcdBinary, X_OK) == 0; }

absl::StatusOr<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(int members) {
  std::unique_ptr<EtcdCluster> cluster(new EtcdCluster());
  char pattern[] = "/tmp/backinstock-etcd-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return absl::InternalError("mkdtemp");
  cluster->dir_ = pattern;
  absl::StatusOr<std::vector<int>> ports = FreePorts(2 * members);
  if (!ports.ok()) return ports.status();
  for (int i = 0; i < members; ++i) {
    Member member;
    member.name = absl::StrCat("m", i);
    member.client_port = (*ports)[2 * i];
    member.peer_port = (*ports)[2 * i + 1];
    member.data_dir = absl::StrCat(cluster->dir_, "/", member.name);
    member.log_path = absl::StrCat(cluster->dir_, "/", member.name, ".log");
    cluster->members_.push_back(member);
  }
  for (int i = 0; i < members; ++i) {
    if (absl::Status spawned = cluster->Spawn(i, /*existing=*/false); !spawned.ok()) return spawned;
  }
  for (int i = 0; i < members; ++i) {
    if (absl::Status healthy = cluster->WaitHealthy(i); !healthy.ok()) return healthy;
  }
  return cluster;
}

EtcdCluster::~EtcdCluster() {
  for (Member& member : members_) {
    KillAndReap(member.pid);
    member.pid = -1;
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

std::string EtcdCluster::InitialCluster() const {
  std::vector<std::string> parts;
  for (const Member& member : members_) {
    parts.push_back(absl::StrCat(member.name, "=", Url(member.peer_port)));
  }
  return absl::StrJoin(parts, ",");
}

absl::Status EtcdCluster::Spawn(int index, bool existing) {
  Member& member = members_[index];
  std::vector<std::string> args = {
      kEtcdBinary,
      absl::StrCat("--name=", member.name),
      absl::StrCat("--data-dir=", member.data_dir),
      absl::StrCat("--listen-client-urls=", Url(member.client_port)),
      absl::StrCat("--advertise-client-urls=", Url(member.client_port)),
      absl::StrCat("--listen-peer-urls=", Url(member.peer_port)),
      absl::StrCat("--initial-advertise-peer-urls=", Url(member.peer_port)),
      absl::StrCat("--initial-cluster=", InitialCluster()),
      absl::StrCat("--initial-cluster-state=", existing ? "existing" : "new"),
      absl::StrCat("--initial-cluster-token=", dir_),
      // Quick elections keep a member loss to a short blip on loaded CI
      // machines without flapping.
      "--heartbeat-interval=100",
      "--election-timeout=1000",
      "--logger=zap",
      "--log-level=warn",
  };
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log_fd = open(member.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return absl::InternalError(absl::StrCat("open ", member.log_path));
  const pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError("fork");
  }
  if (pid == 0) {
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  member.pid = pid;
  return absl::OkStatus();
}

absl::Status EtcdCluster::WaitHealthy(int index, absl::Duration timeout) const {
  const Member& member = members_[index];
  auto stub = KvStub(ClientAddress(index));
  const absl::Time deadline = absl::Now() + timeout;
  grpc::Status last;
  for (;;) {
    grpc::ClientContext context;
    // Only a member that has a leader answers; it also fails fast without one.
    context.AddMetadata("hasleader", "true");
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    context.set_wait_for_ready(true);
    etcdserverpb::RangeRequest request;
    request.set_key("health");
    etcdserverpb::RangeResponse response;
    last = stub->Range(&context, request, &response);
    if (last.ok()) return absl::OkStatus();
    int status = 0;
    if (member.pid > 0 && waitpid(member.pid, &status, WNOHANG) == member.pid) {
      return absl::FailedPreconditionError(
          absl::StrCat("etcd member ", member.name, " exited: ", Log(index)));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "etcd member ", member.name, " not healthy: ", last.error_message(), "\n", Log(index)));
    }
    // The failed call itself waited (wait_for_ready, or the member's own
    // no-leader answer); a short pause avoids spinning on the latter.
    absl::SleepFor(absl::Milliseconds(20));
  }
}

std::string EtcdCluster::Endpoints() const {
  std::vector<std::string> parts;
  for (int i = 0; i < size(); ++i) parts.push_back(ClientAddress(i));
  return absl::StrJoin(parts, ",");
}

std::string EtcdCluster::ClientAddress(int member) const {
  return absl::StrCat("127.0.0.1:", members_[member].client_port);
}

absl::Status EtcdCluster::Kill(int member) {
  KillAndReap(members_[member].pid);
  members_[member].pid = -1;
  return absl::OkStatus();
}

absl::Status EtcdCluster::Pause(int member) {
  if (members_[member].pid <= 0 || kill(members_[member].pid, SIGSTOP) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot stop member ", member));
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::Resume(int member) {
  if (members_[member].pid <= 0 || kill(members_[member].pid, SIGCONT) != 0) {
    return absl::FailedPreconditionError(absl::StrCat("cannot continue member ", member));
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::Restart(int member) {
  if (members_[member].pid > 0) return absl::FailedPreconditionError("member is running");
  if (absl::Status spawned = Spawn(member, /*existing=*/true); !spawned.ok()) return spawned;
  return WaitHealthy(member);
}

absl::StatusOr<int> EtcdCluster::Leader() const {
  for (int i = 0; i < size(); ++i) {
    if (!Running(i)) continue;
    auto stub = etcdserverpb::Maintenance::NewStub(
        grpc::CreateChannel(ClientAddress(i), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    etcdserverpb::StatusResponse status;
    if (!stub->Status(&context, etcdserverpb::StatusRequest(), &status).ok()) continue;
    if (status.leader() == status.header().member_id()) return i;
  }
  return absl::UnavailableError("no member says it leads");
}

absl::Status EtcdCluster::Compact() {
  for (int i = 0; i < size(); ++i) {
    if (!Running(i)) continue;
    auto stub = KvStub(ClientAddress(i));
    grpc::ClientContext read_context;
    read_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    etcdserverpb::RangeRequest read;
    read.set_key("compact");
    etcdserverpb::RangeResponse current;
    grpc::Status status = stub->Range(&read_context, read, &current);
    if (!status.ok()) continue;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    etcdserverpb::CompactionRequest compact;
    compact.set_revision(current.header().revision());
    compact.set_physical(true);
    etcdserverpb::CompactionResponse response;
    status = stub->Compact(&context, compact, &response);
    if (status.ok()) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("compact: ", status.error_message()));
  }
  return absl::UnavailableError("no etcd member answered");
}

std::string EtcdCluster::Log(int member) const {
  std::ifstream in(members_[member].log_path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace backinstock::testing
