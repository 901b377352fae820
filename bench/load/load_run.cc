#include "bench/load/load_run.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "bench/load/call_kinds.h"

namespace backinstock::bench {
namespace {

using Clock = std::chrono::steady_clock;

// gRPC may run a call's callback on the thread that started it (for example
// when the call fails at once), so lanes that start their next call from the
// callback could recurse without bound. Past a small depth the next start is
// handed to this thread instead.
class Trampoline {
 public:
  Trampoline() : thread_([this] { Run(); }) {}
  ~Trampoline() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

  void Post(std::function<void()> task) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    tasks_.push_back(std::move(task));
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](Trampoline* t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(t->mu_) {
              return t->stopping_ || !t->tasks_.empty();
            },
            this));
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

thread_local int start_depth = 0;
constexpr int kMaxStartDepth = 8;

class Run {
 public:
  Run(const LoadOptions& options, const std::vector<SiteCredentials>& sites,
      std::vector<std::unique_ptr<Stubs>> stubs)
      : options_(options),
        sites_(sites),
        stubs_(std::move(stubs)),
        lanes_(options.in_flight),
        remaining_(options.in_flight) {}

  LoadResult Go() {
    start_ = Clock::now();
    measure_from_ = start_ + absl::ToChronoNanoseconds(options_.warmup);
    measure_until_ = measure_from_ + absl::ToChronoNanoseconds(options_.duration);
    for (int i = 0; i < options_.in_flight; ++i) {
      lanes_[i].index = i;
      StartNext(lanes_[i]);
    }
    remaining_.Wait();
    return Collect();
  }

 private:
  // Touched only by the one call a lane has outstanding, so never concurrently.
  struct Lane {
    int index = 0;
    int64_t sequence = 0;
    LatencyHistogram latency;
    std::array<int64_t, kStatusCodes> codes{};
    std::map<int, std::string> first_errors;
    Clock::time_point last_completion{};
    int64_t completed = 0;  // warm-up included
  };

  void StartNext(Lane& lane) {
    if (start_depth >= kMaxStartDepth) {
      trampoline_.Post([this, &lane] { StartNext(lane); });
      return;
    }
    ++start_depth;
    StartNextNow(lane);
    --start_depth;
  }

  void StartNextNow(Lane& lane) {
    const Clock::time_point now = Clock::now();
    const bool measured = now >= measure_from_;
    if (measured) {
      const bool done = options_.calls > 0 ? measured_started_.fetch_add(1) >= options_.calls
                                           : now >= measure_until_;
      if (done) {
        remaining_.DecrementCount();
        return;
      }
    }
    // Calls walk the sites round-robin; each pass over the sites takes the
    // next kind of the cycle, so every site sees the kinds in turn (a site that
    // only ever got Start would make every write after the first a no-op).
    const auto& cycle = options_.mix.cycle;
    const uint64_t position = static_cast<uint64_t>(lane.index) +
                              static_cast<uint64_t>(lane.sequence) * options_.in_flight;
    const SiteCredentials& site = sites_[position % sites_.size()];
    const CallKind kind = cycle[(position / sites_.size()) % cycle.size()];
    ++lane.sequence;
    Stubs& stubs = *stubs_[lane.index % stubs_.size()];
    stubs.Start(kind, site, options_.app_id, options_.deadline,
                [this, &lane, now, measured](const grpc::Status& status) {
                  ++lane.completed;
                  if (measured) Record(lane, now, status);
                  StartNext(lane);
                });
  }

  void Record(Lane& lane, Clock::time_point started, const grpc::Status& status) {
    const Clock::time_point end = Clock::now();
    lane.latency.Record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - started).count());
    const int code = std::clamp(static_cast<int>(status.error_code()), 0, kStatusCodes - 1);
    ++lane.codes[code];
    if (code != 0 && lane.first_errors.count(code) == 0) {
      const absl::Status error = errors::FromGrpcStatus(status);
      const std::string reason = errors::ReasonOf(error);
      lane.first_errors[code] =
          absl::StrCat(reason.empty() ? "" : absl::StrCat(reason, ": "), error.message());
    }
    lane.last_completion = std::max(lane.last_completion, end);
  }

  LoadResult Collect() {
    LoadResult result;
    Clock::time_point last = measure_from_;
    for (const Lane& lane : lanes_) {
      result.latency.Merge(lane.latency);
      for (int code = 0; code < kStatusCodes; ++code) result.codes[code] += lane.codes[code];
      for (const auto& [code, text] : lane.first_errors) result.first_errors.emplace(code, text);
      last = std::max(last, lane.last_completion);
      result.total_calls += lane.completed;
    }
    result.calls = result.latency.count();
    result.elapsed_seconds = std::chrono::duration<double>(last - measure_from_).count();
    return result;
  }

  const LoadOptions& options_;
  const std::vector<SiteCredentials>& sites_;
  std::vector<std::unique_ptr<Stubs>> stubs_;
  std::vector<Lane> lanes_;
  absl::BlockingCounter remaining_;
  std::atomic<int64_t> measured_started_{0};
  Clock::time_point start_, measure_from_, measure_until_;
  Trampoline trampoline_;
};

}  // namespace

absl::StatusOr<LoadResult> RunLoad(const LoadOptions& options,
                                   const std::vector<SiteCredentials>& sites) {
  if (options.channels < 1) return absl::InvalidArgumentError("--channels must be at least 1");
  if (options.in_flight < 1) return absl::InvalidArgumentError("--in_flight must be at least 1");
  if (options.mix.cycle.empty()) return absl::InvalidArgumentError("--rpc names no call");
  if (sites.empty()) return absl::InvalidArgumentError("no site credentials");

  CursorBook cursors;  // outlives the run, which ends only once every call has completed
  std::vector<std::unique_ptr<Stubs>> stubs;
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    // Its own subchannel pool gives every channel its own TCP connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel =
        grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", options.target));
    }
    // Kept for the life of the process, see below.
    static auto* const channels = new std::vector<std::shared_ptr<grpc::Channel>>();
    channels->push_back(channel);
    stubs.push_back(std::make_unique<Stubs>(std::move(channel), &cursors));
  }
  // The channels are never destroyed: with gRPC 1.51's callback API, destroying
  // the last channel right after its last callback returned crashed the
  // process now and then (about 1 run in 80 with --in_flight=1 --calls=100: a
  // segfault in grpc_completion_queue_next on the callback queue's
  // "nexting_thread" while grpc_channel_destroy ran on the main thread). The
  // process ends soon after a run; a kept channel costs nothing until then.
  Run run(options, sites, std::move(stubs));
  return run.Go();
}

}  // namespace backinstock::bench
