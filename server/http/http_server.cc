#include "server/http/http_server.h"

#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace backinstock::http {

std::string HttpRequest::Header(absl::string_view name, int* count) const {
  std::string value;
  int found = 0;
  for (const auto& [key, header_value] : headers) {
    if (key == name) {
      ++found;
      value = header_value;
    }
  }
  if (count != nullptr) *count = found;
  return found == 1 ? value : std::string();
}

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return absl::ToChronoNanoseconds(d);
}

std::string Serialize(const HttpResponse& response, bool keep_alive, bool chunked) {
  bhttp::response<bhttp::string_body> message;
  message.version(11);
  message.result(static_cast<unsigned>(response.status));
  if (!response.content_type.empty())
    message.set(bhttp::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) message.insert(name, value);
  message.keep_alive(keep_alive);
  std::ostringstream out;
  if (chunked) {
    message.chunked(true);
    out << message.base();
  } else {
    message.body() = response.body;
    message.prepare_payload();
    out << message;
  }
  return out.str();
}

class Listener;

class Session : public Exchange, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Listener* listener);
  ~Session() override;

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
  }
  // From any thread: closes the connection (server shutdown).
  void Close() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseNow(); });
  }

  // Inline when the handler answers at once (it runs on the strand), posted
  // from any other thread.
  void Respond(HttpResponse response) override {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this(), r = std::move(response)]() mutable {
                    self->DoRespond(std::move(r));
                  });
  }
  void BeginStream(HttpResponse head) override {
    net::post(stream_.get_executor(), [self = shared_from_this(), h = std::move(head)]() mutable {
      self->streaming_ = true;
      self->Enqueue(Serialize(h, self->keep_alive_, /*chunked=*/true), nullptr);
      self->WatchForClose();
    });
  }
  void Send(std::string chunk, std::function<void()> written) override {
    net::post(stream_.get_executor(), [self = shared_from_this(), c = std::move(chunk),
                                       w = std::move(written)]() mutable {
      if (self->closed_) {
        if (w) w();
        return;
      }
      self->Enqueue(beast::buffers_to_string(bhttp::make_chunk(net::buffer(c))), std::move(w));
    });
  }
  void EndStream() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->Enqueue(beast::buffers_to_string(bhttp::make_chunk_last()), nullptr);
      self->after_writes_ = self->keep_alive_ ? AfterWrites::kNextRequest : AfterWrites::kClose;
      self->MaybeFinishWrites();
    });
  }
  void OnClientGone(std::function<void()> closed) override {
    net::post(stream_.get_executor(), [self = shared_from_this(), c = std::move(closed)]() mutable {
      if (self->client_gone_) {
        c();
      } else {
        self->on_client_gone_ = std::move(c);
      }
    });
  }

 private:
  enum class AfterWrites { kNothing, kNextRequest, kClose };

  void ReadRequest();
  void ReadRest();
  void OnRead(beast::error_code error);
  void DoRespond(HttpResponse response);
  void RefuseAndClose(int status, absl::string_view code, absl::string_view message);
  void Enqueue(std::string bytes, std::function<void()> written);
  void WriteNext();
  void MaybeFinishWrites();
  void WatchForClose();
  void ClientGone();
  void DrainAndClose();
  void CloseNow();

  beast::tcp_stream stream_;
  Listener* listener_;
  net::steady_timer request_timer_{stream_.get_executor()};
  bool request_timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  bool streaming_ = false;
  bool closed_ = false;
  bool client_gone_ = false;
  std::function<void()> on_client_gone_;
  struct Pending {
    std::string bytes;
    std::function<void()> written;
  };
  std::deque<Pending> writes_;
  bool writing_ = false;
  AfterWrites after_writes_ = AfterWrites::kNothing;
  // Set while the close watcher of a finished stream is being cancelled: its
  // completion reads the next request.
  bool resume_after_watch_ = false;
  char discard_[512];
};

class Listener {
 public:
  Listener(HttpServerOptions options, Handler handler, ErrorResponder errors)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        errors_(std::move(errors)),
        acceptor_(net::make_strand(ioc_)) {}

  absl::Status Open() {
    const size_t colon = options_.listen.rfind(':');
    if (colon == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http_listen \"", options_.listen, "\" is not host:port"));
    }
    std::string host = options_.listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    int port = 0;
    if (!absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("--http_listen \"", options_.listen, "\" has no valid port"));
    }
    beast::error_code error;
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, std::to_string(port), error);
    if (error || results.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot resolve --http_listen host \"", host, "\": ", error.message()));
    }
    const tcp::endpoint endpoint = results.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.listen, ": ", error.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < std::max(1, options_.threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return absl::OkStatus();
  }

  int port() const { return port_; }
  const HttpServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const ErrorResponder& errors() const { return errors_; }

  void StopAccepting() {
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
  }

  void Stop() {
    StopAccepting();
    // The references are taken under the lock but closed and dropped outside
    // it: if an I/O thread lets go of a session meanwhile, the last reference
    // is ours, and the session's destructor takes mu_ (Remove).
    std::vector<std::shared_ptr<Session>> alive;
    {
      absl::MutexLock lock(&mu_);
      alive.reserve(sessions_.size());
      for (Session* session : sessions_) {
        if (auto shared = SharedFrom(session)) alive.push_back(std::move(shared));
      }
    }
    for (const std::shared_ptr<Session>& session : alive) session->Close();
    alive.clear();
    // Closing makes every pending operation complete; the threads return once
    // no work is left.
    work_.reset();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
  }

  void Add(Session* session) {
    absl::MutexLock lock(&mu_);
    sessions_.insert(session);
  }
  void Remove(Session* session) {
    absl::MutexLock lock(&mu_);
    sessions_.erase(session);
  }

 private:
  // Sessions register raw pointers (a Session cannot hand out a weak_ptr from
  // its constructor); a session being destroyed has already left the set,
  // because Remove runs in its destructor under the same lock.
  std::shared_ptr<Session> SharedFrom(Session* session) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return std::static_pointer_cast<Session>(session->weak_from_this().lock());
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           [this](beast::error_code error, tcp::socket socket) {
                             if (error == net::error::operation_aborted || !acceptor_.is_open())
                               return;
                             if (!error) {
                               if (active_.load() >= options_.max_connections) {
                                 Refuse(std::move(socket));
                               } else {
                                 std::make_shared<Session>(std::move(socket), this)->Start();
                               }
                             }
                             Accept();
                           });
  }

  // Over the connection cap: a short 503 written at once (it fits in the
  // socket's send buffer), then the connection is closed.
  void Refuse(tcp::socket socket) {
    HttpResponse response =
        errors_(503, "TOO_MANY_CONNECTIONS", "the server has too many open connections");
    response.headers.emplace_back("Retry-After", "1");
    const std::string bytes = Serialize(response, /*keep_alive=*/false, /*chunked=*/false);
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(bytes), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

 public:
  std::atomic<int> active_{0};

 private:
  HttpServerOptions options_;
  Handler handler_;
  ErrorResponder errors_;
  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_{
      net::make_work_guard(ioc_)};
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  absl::flat_hash_set<Session*> sessions_ ABSL_GUARDED_BY(mu_);
};

Session::Session(tcp::socket socket, Listener* listener)
    : stream_(std::move(socket)), listener_(listener) {
  listener_->active_.fetch_add(1);
  listener_->Add(this);
}

Session::~Session() {
  listener_->Remove(this);
  listener_->active_.fetch_sub(1);
}

void Session::ReadRequest() {
  if (closed_) return;
  streaming_ = false;
  after_writes_ = AfterWrites::kNothing;
  on_client_gone_ = nullptr;
  parser_.emplace();
  parser_->body_limit(listener_->options().max_body_bytes);
  parser_->header_limit(static_cast<std::uint32_t>(listener_->options().max_header_bytes));
  if (buffer_.size() > 0) {
    ReadRest();
    return;
  }
  // Idle: wait for the first byte of the next request without a 408, since a
  // keep-alive connection that sends nothing more is normal.
  stream_.expires_after(ToChrono(listener_->options().idle_timeout));
  stream_.async_read_some(buffer_.prepare(4096),
                          [self = shared_from_this()](beast::error_code error, size_t n) {
                            if (error) {
                              self->CloseNow();
                              return;
                            }
                            self->buffer_.commit(n);
                            self->ReadRest();
                          });
}

// The request deadline has a timer of its own: tcp_stream's timeout closes
// the socket, and a slow client must still get its 408.
void Session::ReadRest() {
  stream_.expires_never();
  request_timed_out_ = false;
  request_timer_.expires_after(ToChrono(listener_->options().request_timeout));
  request_timer_.async_wait([self = shared_from_this()](beast::error_code error) {
    if (error) return;  // cancelled: the request arrived in time
    self->request_timed_out_ = true;
    beast::error_code ignored;
    self->stream_.socket().cancel(ignored);
  });
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code error, size_t) {
                      self->request_timer_.cancel();
                      self->OnRead(error);
                    });
}

void Session::OnRead(beast::error_code error) {
  if (closed_) return;
  if (error == bhttp::error::body_limit) {
    RefuseAndClose(
        413, "PAYLOAD_TOO_LARGE",
        absl::StrCat("request body larger than ", listener_->options().max_body_bytes, " bytes"));
    return;
  }
  if (error == bhttp::error::header_limit) {
    RefuseAndClose(431, "HEADERS_TOO_LARGE",
                   absl::StrCat("request headers larger than ",
                                listener_->options().max_header_bytes, " bytes"));
    return;
  }
  if (error && request_timed_out_) {
    RefuseAndClose(408, "REQUEST_TIMEOUT", "the request did not arrive in time");
    return;
  }
  if (error && error.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
      error != bhttp::error::end_of_stream && error != bhttp::error::partial_message) {
    RefuseAndClose(400, "MALFORMED_HTTP",
                   absl::StrCat("malformed HTTP request: ", error.message()));
    return;
  }
  if (error) {
    CloseNow();
    return;
  }
  // While the handler works the connection waits without a deadline: the
  // call has its own.
  stream_.expires_never();
  bhttp::request<bhttp::string_body> message = parser_->release();
  keep_alive_ = message.keep_alive();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())),
                                 std::string(field.value()));
  }
  request.body = std::move(message.body());
  listener_->handler()(std::move(request), shared_from_this());
}

void Session::DoRespond(HttpResponse response) {
  if (closed_) return;
  Enqueue(Serialize(response, keep_alive_, /*chunked=*/false), nullptr);
  after_writes_ = keep_alive_ ? AfterWrites::kNextRequest : AfterWrites::kClose;
  MaybeFinishWrites();
}

void Session::RefuseAndClose(int status, absl::string_view code, absl::string_view message) {
  keep_alive_ = false;
  Enqueue(Serialize(listener_->errors()(status, code, message), false, false), nullptr);
  after_writes_ = AfterWrites::kClose;
  MaybeFinishWrites();
}

void Session::Enqueue(std::string bytes, std::function<void()> written) {
  writes_.push_back(Pending{std::move(bytes), std::move(written)});
  if (!writing_) WriteNext();
}

void Session::WriteNext() {
  if (writes_.empty() || closed_) return;
  writing_ = true;
  // A client that does not read its answer is dropped after the request timeout.
  stream_.expires_after(ToChrono(listener_->options().request_timeout));
  net::async_write(stream_, net::buffer(writes_.front().bytes),
                   [self = shared_from_this()](beast::error_code error, size_t) {
                     self->writing_ = false;
                     std::function<void()> written = std::move(self->writes_.front().written);
                     self->writes_.pop_front();
                     if (written) written();
                     if (error) {
                       self->ClientGone();
                       self->CloseNow();
                       return;
                     }
                     if (!self->streaming_) self->stream_.expires_never();
                     if (!self->writes_.empty()) {
                       self->WriteNext();
                     } else {
                       if (self->streaming_) self->stream_.expires_never();
                       self->MaybeFinishWrites();
                     }
                   });
}

void Session::MaybeFinishWrites() {
  if (writing_ || !writes_.empty()) return;
  const AfterWrites next = after_writes_;
  after_writes_ = AfterWrites::kNothing;
  if (next == AfterWrites::kNextRequest) {
    if (streaming_) {
      streaming_ = false;
      if (client_gone_) {
        CloseNow();
        return;
      }
      // The close watcher still owns the socket's read side; it gives it back
      // (or closes) when it completes.
      beast::error_code ignored;
      stream_.socket().cancel(ignored);
      resume_after_watch_ = true;
      return;
    }
    ReadRequest();
  } else if (next == AfterWrites::kClose) {
    DrainAndClose();
  }
}

// Closing a socket with unread bytes makes the kernel send a reset, which can
// destroy the answer before the client reads it (a 413 sent while the client
// is still uploading). So: stop sending, read and drop what still comes for a
// moment, then close.
void Session::DrainAndClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(std::chrono::seconds(2));
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code error, size_t) {
                            if (error || self->closed_) {
                              self->CloseNow();
                              return;
                            }
                            self->DrainAndClose();
                          });
}

void Session::WatchForClose() {
  stream_.async_read_some(net::buffer(discard_),
                          [self = shared_from_this()](beast::error_code error, size_t) {
                            if (self->resume_after_watch_) {
                              self->resume_after_watch_ = false;
                              if (error && error != net::error::operation_aborted) {
                                self->CloseNow();
                              } else {
                                self->ReadRequest();
                              }
                              return;
                            }
                            if (error) {
                              self->ClientGone();
                              return;
                            }
                            // Bytes sent during a stream are not a request we
                            // can answer in order: dropped.
                            if (self->streaming_) self->WatchForClose();
                          });
}

void Session::ClientGone() {
  if (client_gone_) return;
  client_gone_ = true;
  if (on_client_gone_) {
    std::function<void()> gone = std::move(on_client_gone_);
    gone();
  }
}

void Session::CloseNow() {
  if (closed_) return;
  closed_ = true;
  request_timer_.cancel();
  ClientGone();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  // Producers waiting on `written` must not wait forever (the write in
  // flight, if any, completes with an error and runs its own).
  while (writes_.size() > (writing_ ? 1u : 0u)) {
    std::function<void()> written = std::move(writes_.back().written);
    writes_.pop_back();
    if (written) written();
  }
}

class HttpServerImpl final : public HttpServer {
 public:
  explicit HttpServerImpl(std::unique_ptr<Listener> listener) : listener_(std::move(listener)) {}
  ~HttpServerImpl() override { Stop(); }
  int port() const override { return listener_->port(); }
  void StopAccepting() override { listener_->StopAccepting(); }
  void Stop() override {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    listener_->Stop();
  }

 private:
  std::unique_ptr<Listener> listener_;
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              Handler handler,
                                                              ErrorResponder errors) {
  auto listener =
      std::make_unique<Listener>(std::move(options), std::move(handler), std::move(errors));
  if (absl::Status opened = listener->Open(); !opened.ok()) return opened;
  return std::unique_ptr<HttpServer>(new HttpServerImpl(std::move(listener)));
}

}  // namespace backinstock::http
