#include "server/store/etcd/etcd_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "server/store/etcd/keys.h"
#include "server/store/etcd/txn.h"

namespace backinstock::store::etcd {
namespace {

absl::Status FromGrpc(const grpc::Status& status, absl::string_view what) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat("etcd ", what, ": ", status.error_message()));
}

// Runs one unary call on gRPC's callback API and waits for it here, on an
// absl::Notification. A thread blocked in a synchronous gRPC call polls
// gRPC's process-wide event set and so ends up doing the server's network
// work too, with extra thread hand-offs; the write pool's threads wait on
// etcd all the time, so they must not.
template <typename Start>
grpc::Status CallAndWait(Start start) {
  absl::Notification done;
  grpc::Status status;
  start([&](grpc::Status result) {
    status = std::move(result);
    done.Notify();
  });
  done.WaitForNotification();
  return status;
}

absl::StatusOr<std::string> ResolveOne(absl::string_view endpoint) {
  absl::ConsumePrefix(&endpoint, "http://");
  const size_t colon = endpoint.rfind(':');
  int port = 0;
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(endpoint.substr(colon + 1), &port) || port <= 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--etcd_endpoints: \"", endpoint, "\" is not host:port"));
  }
  const std::string host(endpoint.substr(0, colon));
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0 || found == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("--etcd_endpoints: cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof(text));
  freeaddrinfo(found);
  return absl::StrCat(text, ":", port);
}

}  // namespace

// One call's context, known to Abort while the call runs.
class TrackedCall {
 public:
  TrackedCall(const EtcdClient* client, grpc::ClientContext* context)
      : client_(client), context_(context) {
    absl::MutexLock lock(&client_->calls_mu_);
    tracked_ = !client_->aborted_;
    if (tracked_) client_->calls_.insert(context_);
  }
  ~TrackedCall() {
    if (!tracked_) return;
    absl::MutexLock lock(&client_->calls_mu_);
    client_->calls_.erase(context_);
  }
  TrackedCall(const TrackedCall&) = delete;
  TrackedCall& operator=(const TrackedCall&) = delete;

  // False when the client was aborted before the call started.
  bool ok() const { return tracked_; }
  static absl::Status Refused(absl::string_view what) {
    return absl::UnavailableError(absl::StrCat("etcd ", what, ": shutting down"));
  }

 private:
  const EtcdClient* client_;
  grpc::ClientContext* context_;
  bool tracked_ = false;
};

void EtcdClient::Abort() const {
  absl::MutexLock lock(&calls_mu_);
  aborted_ = true;
  // A cancelled call's callback only notifies its waiter, which then waits
  // here for the lock before it forgets its context: no context is freed
  // while it is being cancelled.
  for (grpc::ClientContext* context : calls_) context->TryCancel();
}

bool EtcdClient::aborted() const {
  absl::MutexLock lock(&calls_mu_);
  return aborted_;
}

absl::StatusOr<std::string> ResolveEndpoints(const std::vector<std::string>& endpoints) {
  if (endpoints.empty()) return absl::InvalidArgumentError("--etcd_endpoints is empty");
  std::vector<std::string> addresses;
  for (const std::string& endpoint : endpoints) {
    absl::StatusOr<std::string> address = ResolveOne(endpoint);
    if (!address.ok()) return address.status();
    addresses.push_back(*std::move(address));
  }
  return absl::StrCat("ipv4:", absl::StrJoin(addresses, ","));
}

absl::StatusOr<std::unique_ptr<EtcdClient>> EtcdClient::Connect(const EtcdOptions& options) {
  absl::StatusOr<std::string> target = ResolveEndpoints(options.endpoints);
  if (!target.ok()) return target.status();
  grpc::ChannelArguments args;
  // round_robin keeps a connection to every member and skips those that are
  // down, so losing one member costs only the calls in flight on it.
  args.SetServiceConfigJSON(R"({"loadBalancingConfig":[{"round_robin":{}}]})");
  // Notice a dead member within seconds even when idle, and reconnect to a
  // member that comes back quickly.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 5'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1'000);
  args.SetMaxReceiveMessageSize(64 << 20);
  // Retries are ours (Commit resolves unknown outcomes before retrying).
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  auto channel = grpc::CreateCustomChannel(*target, grpc::InsecureChannelCredentials(), args);
  return std::unique_ptr<EtcdClient>(new EtcdClient(*target, std::move(channel), options));
}

EtcdClient::EtcdClient(std::string target, std::shared_ptr<grpc::Channel> channel,
                       const EtcdOptions& options)
    : target_(std::move(target)),
      channel_(std::move(channel)),
      call_timeout_(options.call_timeout),
      write_attempt_timeout_(std::min(options.write_attempt_timeout, options.call_timeout)),
      kv_(etcdserverpb::KV::NewStub(channel_)),
      watch_(etcdserverpb::Watch::NewStub(channel_)),
      lease_(etcdserverpb::Lease::NewStub(channel_)) {}

void EtcdClient::RequireLeader(grpc::ClientContext* context) {
  // etcd's clientv3.WithRequireLeader: the member refuses the call (and ends
  // watch streams) while it has no leader.
  context->AddMetadata("hasleader", "true");
}

void EtcdClient::Prepare(grpc::ClientContext* context, absl::Duration timeout) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  RequireLeader(context);
}

absl::StatusOr<etcdserverpb::TxnResponse> EtcdClient::Txn(
    const etcdserverpb::TxnRequest& request) const {
  grpc::ClientContext context;
  Prepare(&context, write_attempt_timeout_);
  TrackedCall tracked(this, &context);
  if (!tracked.ok()) return TrackedCall::Refused("txn");
  etcdserverpb::TxnResponse response;
  grpc::Status status = CallAndWait(
      [&](auto on_done) { kv_->async()->Txn(&context, &request, &response, std::move(on_done)); });
  if (!status.ok()) return FromGrpc(status, "txn");
  return response;
}

absl::StatusOr<etcdserverpb::RangeResponse> EtcdClient::Range(
    const etcdserverpb::RangeRequest& request) const {
  return Range(request, call_timeout_);
}

absl::StatusOr<etcdserverpb::RangeResponse> EtcdClient::Range(
    const etcdserverpb::RangeRequest& request, absl::Duration timeout) const {
  grpc::ClientContext context;
  Prepare(&context, timeout);
  TrackedCall tracked(this, &context);
  if (!tracked.ok()) return TrackedCall::Refused("range");
  etcdserverpb::RangeResponse response;
  grpc::Status status = CallAndWait([&](auto on_done) {
    kv_->async()->Range(&context, &request, &response, std::move(on_done));
  });
  if (!status.ok()) return FromGrpc(status, "range");
  return response;
}

absl::StatusOr<int64_t> EtcdClient::CurrentRevision() const {
  // A linearizable read of ONE key (which need not exist): the header carries
  // the store's current revision whatever the range, and a range over the
  // whole prefix, even count-only, would cost etcd time in the number of keys.
  etcdserverpb::RangeRequest request;
  request.set_key(std::string(kRootPrefix));
  request.set_keys_only(true);
  request.set_limit(1);
  absl::StatusOr<etcdserverpb::RangeResponse> response = Range(request, write_attempt_timeout_);
  if (!response.ok()) return response.status();
  return response->header().revision();
}

absl::StatusOr<int64_t> EtcdClient::WriteFence() const {
  etcdserverpb::TxnRequest txn;
  AddPut(txn.add_success(), FenceKey(), "");
  absl::StatusOr<etcdserverpb::TxnResponse> response = Txn(txn);
  if (!response.ok()) return response.status();
  // A transaction with a put always makes a revision of its own: the header's.
  return response->header().revision();
}

absl::StatusOr<etcdserverpb::LeaseGrantResponse> EtcdClient::LeaseGrant(int64_t ttl_seconds) const {
  grpc::ClientContext context;
  Prepare(&context, call_timeout_);
  TrackedCall tracked(this, &context);
  if (!tracked.ok()) return TrackedCall::Refused("lease grant");
  etcdserverpb::LeaseGrantRequest request;
  request.set_ttl(ttl_seconds);
  etcdserverpb::LeaseGrantResponse response;
  grpc::Status status = CallAndWait([&](auto on_done) {
    lease_->async()->LeaseGrant(&context, &request, &response, std::move(on_done));
  });
  if (!status.ok()) return FromGrpc(status, "lease grant");
  if (!response.error().empty()) {
    return absl::UnavailableError(absl::StrCat("etcd lease grant: ", response.error()));
  }
  return response;
}

absl::StatusOr<int64_t> EtcdClient::LeaseKeepAlive(int64_t id, absl::Duration timeout) const {
  // etcd renews leases only over a stream; one short stream per renewal,
  // under a deadline, cannot hang on a member that went away.
  grpc::ClientContext context;
  Prepare(&context, std::min(timeout, call_timeout_));
  TrackedCall tracked(this, &context);
  if (!tracked.ok()) return TrackedCall::Refused("lease keepalive");
  auto stream = lease_->LeaseKeepAlive(&context);
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(id);
  etcdserverpb::LeaseKeepAliveResponse response;
  const bool answered = stream->Write(request) && stream->Read(&response);
  // etcd ends the stream once we half-close it.
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  if (!answered) {
    return FromGrpc(
        status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "stream ended") : status,
        "lease keepalive");
  }
  return std::max<int64_t>(response.ttl(), 0);
}

absl::Status EtcdClient::LeaseRevoke(int64_t id) const {
  grpc::ClientContext context;
  Prepare(&context, call_timeout_);
  TrackedCall tracked(this, &context);
  if (!tracked.ok()) return TrackedCall::Refused("lease revoke");
  etcdserverpb::LeaseRevokeRequest request;
  request.set_id(id);
  etcdserverpb::LeaseRevokeResponse response;
  grpc::Status status = CallAndWait([&](auto on_done) {
    lease_->async()->LeaseRevoke(&context, &request, &response, std::move(on_done));
  });
  if (!status.ok()) return FromGrpc(status, "lease revoke");
  return absl::OkStatus();
}

absl::Status EtcdClient::Compact(int64_t revision) const {
  grpc::ClientContext context;
  Prepare(&context, call_timeout_);
  TrackedCall tracked(this, &context);
  if (!tracked.ok()) return TrackedCall::Refused("compact");
  etcdserverpb::CompactionRequest request;
  request.set_revision(revision);
  request.set_physical(true);
  etcdserverpb::CompactionResponse response;
  grpc::Status status = CallAndWait([&](auto on_done) {
    kv_->async()->Compact(&context, &request, &response, std::move(on_done));
  });
  if (!status.ok()) return FromGrpc(status, "compact");
  return absl::OkStatus();
}

bool EtcdClient::AlreadyCompacted(const absl::Status& status) {
  return status.code() == absl::StatusCode::kOutOfRange &&
         absl::StrContains(status.message(), "compacted");
}

bool EtcdClient::RefusedBeforeApply(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable &&
         absl::StrContains(status.message(), "no leader");
}

bool EtcdClient::Rejected(const absl::Status& status) {
  // etcd answers UNAVAILABLE, DEADLINE_EXCEEDED and the like when a request
  // may still apply; these codes are only ever its verdict on the request.
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return true;
    default:
      return false;
  }
}

}  // namespace backinstock::store::etcd
