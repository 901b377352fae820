// backinstock-bench-h2: a light HTTP/2 load generator for unary gRPC calls,
// for the light-client table (bench/light_client.sh) where h2load cannot go:
// h2load sends one fixed body, and a create_request with a fixed body creates
// once (every later call is ALREADY_EXISTS). This one cycles through a file of
// gRPC-framed messages, so each call can carry a message of its own.
//
// Like h2load it is one thread over libnghttp2, far below a gRPC client's CPU
// per call, so on two shared cores the server is what saturates. Unlike
// h2load, a call counts as succeeded only when its trailers say grpc-status 0.
// It prints h2load's two summary lines ("finished in ..." and "requests:
// ...") and writes h2load's per-request log format (start, status, duration
// in microseconds; status 200 for a call that succeeded, else "grpc-N" or the
// HTTP status), so that bench/ratio_table.py reads both tools alike.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

ABSL_FLAG(std::string, target, "", "host:port of the server (IPv4 or a name resolved once)");
ABSL_FLAG(std::string, path, "", "the method's path, /package.Service/Method");
ABSL_FLAG(std::string, bodies, "",
          "a file of gRPC-framed messages one after another (written by backinstock-bench-load "
          "--h2load_request --h2load_requests=N); call i sends message i modulo their number");
ABSL_FLAG(std::vector<std::string>, headers, {},
          "extra request headers as \"name: value\" pairs, separated by commas, in one flag "
          "(a repeated flag keeps only its last value); content-type and te are always sent");
ABSL_FLAG(int, connections, 10, "connections (h2load -c)");
ABSL_FLAG(int, streams, 5, "calls in flight on each connection (h2load -m)");
ABSL_FLAG(double, duration, 5, "seconds of load (h2load -D)");
ABSL_FLAG(std::string, log_file, "", "per-call log in h2load's --log-file format");

namespace {

using Clock = std::chrono::steady_clock;

struct Totals {
  int64_t started = 0;
  int64_t done = 0;
  int64_t succeeded = 0;
  int64_t failed = 0;   // answered, but not grpc-status 0
  int64_t errored = 0;  // reset or lost with its connection
  std::map<std::string, int64_t> statuses;
};

struct Run {
  std::string authority;
  std::string path;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<absl::string_view> bodies;
  size_t next_body = 0;
  Clock::time_point start;
  Clock::time_point stop;  // no call starts after this
  Totals totals;
  std::FILE* log = nullptr;
  bool wrapped = false;
};

struct Call {
  absl::string_view body;
  size_t sent = 0;
  Clock::time_point start;
  int http_status = 0;
  int grpc_status = -1;
};

struct Connection {
  Run* run = nullptr;
  int fd = -1;
  nghttp2_session* session = nullptr;
  int in_flight = 0;
  bool want_out = false;  // the socket was full: wait for EPOLLOUT
};

void Die(const std::string& message) {
  std::fprintf(stderr, "backinstock-bench-h2: %s\n", message.c_str());
  std::exit(2);
}

ssize_t OnSend(nghttp2_session*, const uint8_t* data, size_t length, int, void* user_data) {
  auto* connection = static_cast<Connection*>(user_data);
  const ssize_t written = ::send(connection->fd, data, length, MSG_NOSIGNAL);
  if (written >= 0) return written;
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    connection->want_out = true;
    return NGHTTP2_ERR_WOULDBLOCK;
  }
  return NGHTTP2_ERR_CALLBACK_FAILURE;
}

ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buffer, size_t length, uint32_t* flags,
                 nghttp2_data_source* source, void*) {
  auto* call = static_cast<Call*>(source->ptr);
  const size_t count = std::min(length, call->body.size() - call->sent);
  std::memcpy(buffer, call->body.data() + call->sent, count);
  call->sent += count;
  if (call->sent == call->body.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(count);
}

int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
             size_t name_length, const uint8_t* value, size_t value_length, uint8_t, void*) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  auto* call =
      static_cast<Call*>(nghttp2_session_get_stream_user_data(session, frame->hd.stream_id));
  if (call == nullptr) return 0;
  const absl::string_view key(reinterpret_cast<const char*>(name), name_length);
  const absl::string_view text(reinterpret_cast<const char*>(value), value_length);
  int number = 0;
  if (key == ":status" && absl::SimpleAtoi(text, &number)) call->http_status = number;
  if (key == "grpc-status" && absl::SimpleAtoi(text, &number)) call->grpc_status = number;
  return 0;
}

int OnChunk(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*) {
  return 0;  // the answer's message is not looked at, only its status
}

void StartCall(Connection& connection);

int OnStreamClose(nghttp2_session* session, int32_t stream_id, uint32_t error_code,
                  void* user_data) {
  auto* connection = static_cast<Connection*>(user_data);
  std::unique_ptr<Call> call(
      static_cast<Call*>(nghttp2_session_get_stream_user_data(session, stream_id)));
  if (call == nullptr) return 0;
  Run& run = *connection->run;
  const Clock::time_point now = Clock::now();
  --connection->in_flight;
  ++run.totals.done;
  std::string status;
  if (error_code != NGHTTP2_NO_ERROR || call->http_status == 0) {
    ++run.totals.errored;
    status = absl::StrCat("reset-", error_code);
  } else if (call->http_status == 200 && call->grpc_status == 0) {
    ++run.totals.succeeded;
    status = "200";
  } else {
    ++run.totals.failed;
    status = call->http_status == 200 ? absl::StrCat("grpc-", call->grpc_status)
                                      : absl::StrCat(call->http_status);
  }
  ++run.totals.statuses[status];
  if (run.log != nullptr) {
    using std::chrono::duration_cast;
    using std::chrono::microseconds;
    std::fprintf(
        run.log, "%lld\t%s\t%lld\n",
        static_cast<long long>(duration_cast<microseconds>(call->start - run.start).count()),
        status.c_str(),
        static_cast<long long>(duration_cast<microseconds>(now - call->start).count()));
  }
  // Not on a connection the server is closing (GOAWAY): nghttp2 would refuse
  // the new call at once, closing it here again, in a loop until `stop`.
  if (now < run.stop && nghttp2_session_check_request_allowed(session) != 0) {
    StartCall(*connection);
  }
  return 0;
}

void StartCall(Connection& connection) {
  Run& run = *connection.run;
  auto call = std::make_unique<Call>();
  if (run.next_body == run.bodies.size()) {
    run.next_body = 0;
    run.wrapped = true;
  }
  call->body = run.bodies[run.next_body++];
  call->start = Clock::now();
  auto nv = [](const std::string& name, const std::string& value) {
    return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE};
  };
  static const std::string kMethod = ":method", kPost = "POST", kScheme = ":scheme", kHttp = "http",
                           kAuthority = ":authority", kPath = ":path";
  std::vector<nghttp2_nv> headers = {nv(kMethod, kPost), nv(kScheme, kHttp),
                                     nv(kAuthority, run.authority), nv(kPath, run.path)};
  for (const auto& [name, value] : run.headers) headers.push_back(nv(name, value));
  nghttp2_data_provider provider;
  provider.source.ptr = call.get();
  provider.read_callback = ReadBody;
  const int32_t stream = nghttp2_submit_request(connection.session, nullptr, headers.data(),
                                                headers.size(), &provider, call.get());
  if (stream < 0) Die(absl::StrCat("cannot submit a call: ", nghttp2_strerror(stream)));
  call.release();  // owned by the stream until OnStreamClose
  ++connection.in_flight;
  ++run.totals.started;
}

int Connect(const std::string& target) {
  std::pair<std::string, std::string> host_port = absl::StrSplit(target, absl::MaxSplits(':', 1));
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host_port.first.c_str(), host_port.second.c_str(), &hints, &found) != 0) {
    Die(absl::StrCat("cannot resolve ", target));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || ::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    Die(absl::StrCat("cannot connect to ", target, ": ", std::strerror(errno)));
  }
  freeaddrinfo(found);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// Sends what nghttp2 has queued; false when the connection is over.
bool Flush(Connection& connection) {
  connection.want_out = false;
  return nghttp2_session_send(connection.session) == 0;
}

std::vector<absl::string_view> SplitFrames(const std::string& data) {
  std::vector<absl::string_view> frames;
  size_t at = 0;
  while (at < data.size()) {
    if (data.size() - at < 5) Die("--bodies ends inside a frame header");
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data() + at + 1);
    const size_t length = (size_t{bytes[0]} << 24) | (size_t{bytes[1]} << 16) |
                          (size_t{bytes[2]} << 8) | size_t{bytes[3]};
    if (data.size() - at - 5 < length) Die("--bodies ends inside a message");
    frames.emplace_back(data.data() + at, 5 + length);
    at += 5 + length;
  }
  if (frames.empty()) Die("--bodies holds no message");
  return frames;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("A light HTTP/2 load generator for unary gRPC calls");
  absl::ParseCommandLine(argc, argv);
  Run run;
  run.authority = absl::GetFlag(FLAGS_target);
  run.path = absl::GetFlag(FLAGS_path);
  if (run.authority.empty() || run.path.empty()) Die("--target and --path are required");
  std::ifstream in(absl::GetFlag(FLAGS_bodies), std::ios::binary);
  if (!in) Die("cannot read --bodies");
  std::stringstream contents;
  contents << in.rdbuf();
  const std::string data = contents.str();
  run.bodies = SplitFrames(data);
  run.headers = {{"content-type", "application/grpc"}, {"te", "trailers"}};
  for (const std::string& header : absl::GetFlag(FLAGS_headers)) {
    std::pair<std::string, std::string> pair = absl::StrSplit(header, absl::MaxSplits(':', 1));
    // HTTP/2 names are lower case (and nghttp2 sends them as given).
    run.headers.emplace_back(absl::AsciiStrToLower(pair.first),
                             std::string(absl::StripLeadingAsciiWhitespace(pair.second)));
  }
  if (const std::string path = absl::GetFlag(FLAGS_log_file); !path.empty()) {
    run.log = std::fopen(path.c_str(), "w");
    if (run.log == nullptr) Die("cannot write --log_file");
  }

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, OnSend);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);

  const int epoll = epoll_create1(0);
  std::vector<Connection> connections(absl::GetFlag(FLAGS_connections));
  for (Connection& connection : connections) {
    connection.run = &run;
    connection.fd = Connect(run.authority);
    nghttp2_session_client_new(&connection.session, callbacks, &connection);
    // Large windows, as h2load's defaults: flow control is not what is measured.
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, (1U << 30) - 1}};
    nghttp2_submit_settings(connection.session, NGHTTP2_FLAG_NONE, settings, 1);
    nghttp2_session_set_local_window_size(connection.session, NGHTTP2_FLAG_NONE, 0, (1 << 30) - 1);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = &connection;
    epoll_ctl(epoll, EPOLL_CTL_ADD, connection.fd, &event);
  }
  run.start = Clock::now();
  run.stop = run.start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(absl::GetFlag(FLAGS_duration)));
  for (Connection& connection : connections) {
    for (int i = 0; i < absl::GetFlag(FLAGS_streams); ++i) StartCall(connection);
    if (!Flush(connection)) Die("a connection failed at its start");
  }

  // Until every call started before `stop` has ended (or a grace of 10 s).
  const Clock::time_point give_up = run.stop + std::chrono::seconds(10);
  std::vector<char> buffer(1 << 16);
  epoll_event events[64];
  int open = static_cast<int>(connections.size());
  while (open > 0 && Clock::now() < give_up) {
    const int ready = epoll_wait(epoll, events, 64, 100);
    for (int i = 0; i < ready; ++i) {
      auto* connection = static_cast<Connection*>(events[i].data.ptr);
      if (connection->session == nullptr) continue;
      bool ok = true;
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          const ssize_t got = ::recv(connection->fd, buffer.data(), buffer.size(), 0);
          if (got > 0) {
            const ssize_t used = nghttp2_session_mem_recv(
                connection->session, reinterpret_cast<const uint8_t*>(buffer.data()), got);
            if (used < 0) ok = false;
            if (!ok || static_cast<size_t>(got) < buffer.size()) break;
            continue;
          }
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
          ok = false;  // closed or broken
          break;
        }
      }
      if (ok) ok = Flush(*connection);
      if (!ok) {
        // Lost with its connection: every call in flight is an error.
        run.totals.errored += connection->in_flight;
        run.totals.done += connection->in_flight;
        connection->in_flight = 0;
      }
      if (connection->in_flight == 0) {  // broken, or past `stop` with nothing left
        nghttp2_session_del(connection->session);
        connection->session = nullptr;
        ::close(connection->fd);
        --open;
        continue;
      }
      epoll_event event{};
      event.events = connection->want_out ? EPOLLIN | EPOLLOUT : EPOLLIN;
      event.data.ptr = connection;
      epoll_ctl(epoll, EPOLL_CTL_MOD, connection->fd, &event);
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - run.start).count();
  const Totals& t = run.totals;
  // Calls still unanswered when the run gave up on them.
  const int64_t timeouts = t.started - t.done;
  // The rate counts the calls that succeeded, over the whole run.
  std::printf("finished in %.2fs, %.2f req/s, 0B/s\n", seconds, t.succeeded / seconds);
  std::printf(
      "requests: %lld total, %lld started, %lld done, %lld succeeded, %lld failed, %lld errored, "
      "%lld timeout\n",
      static_cast<long long>(t.started), static_cast<long long>(t.started),
      static_cast<long long>(t.done), static_cast<long long>(t.succeeded),
      static_cast<long long>(t.failed), static_cast<long long>(t.errored),
      static_cast<long long>(timeouts));
  std::printf("status codes:");
  for (const auto& [status, count] : t.statuses) {
    std::printf(" %s %lld", status.c_str(), static_cast<long long>(count));
  }
  std::printf(
      "\nmessages: %zu distinct%s\n", run.bodies.size(),
      run.wrapped && run.bodies.size() > 1 ? ", all used: later calls repeated earlier ones" : "");
  if (run.log != nullptr) std::fclose(run.log);
  for (Connection& connection : connections) {
    if (connection.session != nullptr) nghttp2_session_del(connection.session);
  }
  nghttp2_session_callbacks_del(callbacks);
  return 0;
}
