// backinstock-bench-etcd-put: etcd's own Put throughput, measured the way
// backinstock-bench-load measures the server (closed loop: `in_flight` lanes,
// each with one call outstanding, over `channels` connections, a warm-up, then
// `duration` of measurement), so that the replica's write throughput can be
// given as a ratio to what the same cluster takes directly. Each Put writes a
// value of the size of a stored settings record to one of `keys` keys (like
// the load's sites). Prints one JSON object like the load tool's.
//
// Two variants locate a replica's gap to Put: --txn sends each write as a
// guarded Txn shaped like the replica's (etcd's own cost of a guarded write),
// --blocking makes the calls the way the server's write pool does (a thread
// per write in flight, blocking stubs).
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, endpoints, "127.0.0.1:2379", "comma-separated host:port of etcd members");
ABSL_FLAG(int32_t, channels, 4, "channels (TCP connections) the calls are spread over");
ABSL_FLAG(int32_t, in_flight, 50, "calls kept outstanding at all times");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "load before measuring starts");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(3), "how long to measure");
ABSL_FLAG(int32_t, keys, 100, "distinct keys the Puts rotate over");
ABSL_FLAG(int32_t, value_bytes, 64, "size of each value");
ABSL_FLAG(bool, txn, false,
          "send each write as a guarded Txn shaped like the replica's (a compare on the key's "
          "mod_revision that holds, the put, a get in the failure branch) instead of a Put");

ABSL_FLAG(bool, blocking, false,
          "one thread per lane making blocking calls (as the server's write pool does) instead "
          "of asynchronous callbacks");

namespace {

struct Shared {
  absl::Mutex mu;
  absl::Time measure_from;
  absl::Time stop_at;
  int64_t ok ABSL_GUARDED_BY(mu) = 0;
  int64_t failed ABSL_GUARDED_BY(mu) = 0;
  int64_t total ABSL_GUARDED_BY(mu) = 0;
  absl::Time last_done ABSL_GUARDED_BY(mu);
  int lanes_running ABSL_GUARDED_BY(mu) = 0;
};

// One closed-loop lane: a Put, and when it completes, the next.
class Lane {
 public:
  Lane(etcdserverpb::KV::Stub* stub, Shared* shared, int index, const std::string& value, int keys,
       bool txn)
      : stub_(stub), shared_(shared), index_(index), value_(value), keys_(keys), txn_(txn) {}

  void Start() { Next(); }

  // The same loop with blocking calls, on the caller's thread.
  void RunBlocking() {
    for (;;) {
      const absl::Time now = absl::Now();
      if (now >= shared_->stop_at) break;
      started_ = now;
      Prepare(now);
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(now + absl::Seconds(10)));
      const grpc::Status status = txn_ ? stub_->Txn(&context, txn_request_, &txn_response_)
                                       : stub_->Put(&context, request_, &response_);
      Count(status);
    }
    absl::MutexLock lock(&shared_->mu);
    --shared_->lanes_running;
  }

 private:
  // The next request: a Put, or the same put as a guarded Txn.
  void Prepare(absl::Time now) {
    (void)now;
    request_.set_key(absl::StrCat("/bench/put/", (index_ + count_++) % keys_));
    request_.set_value(value_);
    if (!txn_) return;
    txn_request_.Clear();
    etcdserverpb::Compare* compare = txn_request_.add_compare();
    compare->set_key(request_.key());
    compare->set_target(etcdserverpb::Compare::MOD);
    compare->set_result(etcdserverpb::Compare::LESS);
    compare->set_mod_revision(std::numeric_limits<int64_t>::max());
    *txn_request_.add_success()->mutable_request_put() = request_;
    txn_request_.add_failure()->mutable_request_range()->set_key(request_.key());
  }

  void Count(const grpc::Status& status) {
    const absl::Time done = absl::Now();
    absl::MutexLock lock(&shared_->mu);
    ++shared_->total;
    if (started_ >= shared_->measure_from && done <= shared_->stop_at) {
      (status.ok() ? shared_->ok : shared_->failed) += 1;
      shared_->last_done = std::max(shared_->last_done, done);
    }
  }

  void Next() {
    const absl::Time now = absl::Now();
    if (now >= shared_->stop_at) {
      absl::MutexLock lock(&shared_->mu);
      --shared_->lanes_running;
      return;
    }
    started_ = now;
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(absl::ToChronoTime(now + absl::Seconds(10)));
    Prepare(now);
    auto done = [this](grpc::Status status) {
      Count(status);
      Next();
    };
    if (txn_) {
      stub_->async()->Txn(context_.get(), &txn_request_, &txn_response_, std::move(done));
    } else {
      stub_->async()->Put(context_.get(), &request_, &response_, std::move(done));
    }
  }

  etcdserverpb::KV::Stub* stub_;
  Shared* shared_;
  int index_;
  const std::string& value_;
  int keys_;
  int64_t count_ = 0;
  absl::Time started_;
  std::unique_ptr<grpc::ClientContext> context_;
  etcdserverpb::PutRequest request_;
  etcdserverpb::PutResponse response_;
  bool txn_;
  etcdserverpb::TxnRequest txn_request_;
  etcdserverpb::TxnResponse txn_response_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::vector<std::string> endpoints =
      absl::StrSplit(absl::GetFlag(FLAGS_endpoints), ',', absl::SkipEmpty());
  const int channels = std::max(1, absl::GetFlag(FLAGS_channels));
  const int in_flight = std::max(1, absl::GetFlag(FLAGS_in_flight));
  // The same fail-over shape as the server's etcd client: every member, round_robin.
  std::string target = "ipv4:";
  for (size_t i = 0; i < endpoints.size(); ++i) target += (i ? "," : "") + endpoints[i];
  std::vector<std::unique_ptr<etcdserverpb::KV::Stub>> stubs;
  for (int c = 0; c < channels; ++c) {
    grpc::ChannelArguments args;
    args.SetServiceConfigJSON(R"({"loadBalancingConfig":[{"round_robin":{}}]})");
    args.SetInt("bench.channel", c);  // distinct arguments: a connection per channel
    auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(10)))) {
      std::fprintf(stderr, "etcd at %s does not answer\n", target.c_str());
      return 1;
    }
    stubs.push_back(etcdserverpb::KV::NewStub(channel));
  }
  const std::string value(static_cast<size_t>(absl::GetFlag(FLAGS_value_bytes)), 'v');
  Shared shared;
  const absl::Time begin = absl::Now();
  shared.measure_from = begin + absl::GetFlag(FLAGS_warmup);
  shared.stop_at = shared.measure_from + absl::GetFlag(FLAGS_duration);
  {
    absl::MutexLock lock(&shared.mu);
    shared.lanes_running = in_flight;
    shared.last_done = shared.measure_from;
  }
  std::vector<std::unique_ptr<Lane>> lanes;
  for (int i = 0; i < in_flight; ++i) {
    lanes.push_back(std::make_unique<Lane>(stubs[i % channels].get(), &shared, i, value,
                                           std::max(1, absl::GetFlag(FLAGS_keys)),
                                           absl::GetFlag(FLAGS_txn)));
  }
  std::vector<std::thread> threads;
  for (auto& lane : lanes) {
    if (absl::GetFlag(FLAGS_blocking)) {
      threads.emplace_back([&lane] { lane->RunBlocking(); });
    } else {
      lane->Start();
    }
  }
  absl::MutexLock lock(&shared.mu);
  shared.mu.Await(absl::Condition(
      +[](Shared* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return s->lanes_running == 0; }, &shared));
  shared.mu.Unlock();
  for (std::thread& thread : threads) thread.join();
  shared.mu.Lock();
  const double elapsed = absl::ToDoubleSeconds(shared.last_done - shared.measure_from);
  const nlohmann::json result = {
      {"target", target},
      {"rpc", absl::GetFlag(FLAGS_txn) ? "etcd_txn" : "etcd_put"},
      {"channels", channels},
      {"in_flight", in_flight},
      {"calls", shared.ok + shared.failed},
      {"total_calls", shared.total},
      {"elapsed_s", elapsed},
      {"throughput_per_s", elapsed > 0 ? shared.ok / elapsed : 0.0},
      {"errors", shared.failed},
  };
  std::printf("%s\n", result.dump().c_str());
  return shared.failed == 0 ? 0 : 3;
}
