#include "server/http/http_front.h"

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "server/http/error_envelope.h"
#include "server/http/grpc_forwarder.h"
#include "server/http/request_mapping.h"
#include "server/http/route_table.h"

namespace backinstock::http {
namespace {

// Wix serves these paths under this prefix too (its SDK's host mappings).
constexpr absl::string_view kServicePrefix = "/back-in-stock-service";
constexpr char kRequestIdHeader[] = "x-wix-request-id";
// The headers that carry credentials; forwarded as gRPC metadata untouched.
constexpr const char* kCredentialHeaders[] = {"authorization", "x-elevation-token"};
// What a listed origin may send and read.
constexpr char kAllowedHeaders[] = "authorization, content-type, x-elevation-token, accept";
constexpr char kExposedHeaders[] = "x-wix-request-id";

std::string NewRequestId() {
  thread_local absl::BitGen bits;
  const uint64_t high = absl::Uniform<uint64_t>(bits);
  const uint64_t low = absl::Uniform<uint64_t>(bits);
  // A random (version 4) UUID.
  return absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
                         high & 0x0fff, 0x8000 | ((low >> 48) & 0x3fff), low & 0xffffffffffffULL);
}

std::unique_ptr<google::protobuf::Message> NewMessage(const google::protobuf::Descriptor* type) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type);
  return std::unique_ptr<google::protobuf::Message>(prototype->New());
}

// gRPC refuses (by aborting the process) metadata values that are not
// printable ASCII; a credential with other bytes cannot be valid, so it is
// forwarded as a value the authorizer refuses in the usual way.
std::string SafeMetadataValue(const std::string& value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7e) return "Bearer invalid.header.value";
  }
  return value;
}

// Everything about one request the answer needs to carry.
struct Context {
  std::string request_id;
  Headers cors;  // Access-Control-* headers for a listed origin, else empty
};

HttpResponse JsonResponse(const Context& context, int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers.emplace_back(kRequestIdHeader, context.request_id);
  for (const auto& header : context.cors) response.headers.push_back(header);
  return response;
}

HttpResponse ErrorResponse(const Context& context, const absl::Status& status) {
  return JsonResponse(context, HttpStatusFor(status.code()), ErrorBody(status));
}

// A server stream as Server-Sent Events: one `data:` line of JSON per
// message. The headers go out with the first message; a stream that ends
// before any (refused) is an ordinary error answer, one that fails later ends
// with an `event: error` carrying the envelope.
class SseStream final : public StreamObserver {
 public:
  SseStream(Context context, std::shared_ptr<Exchange> exchange,
            const google::protobuf::Descriptor* type)
      : context_(std::move(context)), exchange_(std::move(exchange)), type_(type) {}

  // The in-process transport reports a refused call's trailers-only answer
  // as initial metadata too, so the SSE headers wait for the first message
  // (or the end): a refusal stays an ordinary error answer with its status.
  void OnStarted() override {}

  void OnMessage(std::string bytes, std::function<void()> next) override {
    absl::MutexLock lock(&mu_);
    StartLocked();
    std::unique_ptr<google::protobuf::Message> message = NewMessage(type_);
    absl::StatusOr<std::string> json = message->ParseFromString(bytes)
                                           ? ToJson(*message)
                                           : absl::InternalError("unreadable stream message");
    if (!json.ok()) {
      exchange_->Send(absl::StrCat("event: error\ndata: ", ErrorBody(json.status()), "\n\n"),
                      std::move(next));
      return;
    }
    exchange_->Send(absl::StrCat("data: ", *json, "\n\n"), std::move(next));
  }

  void OnFinished(const grpc::Status& status) override {
    {
      absl::MutexLock lock(&mu_);
      if (!started_ && !status.ok()) {
        exchange_->Respond(ErrorResponse(context_, errors::FromGrpcStatus(status)));
      } else {
        StartLocked();
        if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
          exchange_->Send(absl::StrCat("event: error\ndata: ",
                                       ErrorBody(errors::FromGrpcStatus(status)), "\n\n"),
                          nullptr);
        }
        exchange_->EndStream();
      }
    }
    delete this;
  }

 private:
  void StartLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (started_) return;
    started_ = true;
    HttpResponse head = JsonResponse(context_, 200, "");
    head.content_type = "text/event-stream";
    head.headers.emplace_back("Cache-Control", "no-cache");
    exchange_->BeginStream(std::move(head));
  }

  const Context context_;
  const std::shared_ptr<Exchange> exchange_;
  const google::protobuf::Descriptor* const type_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
};

class HttpFrontImpl final : public HttpFront {
 public:
  HttpFrontImpl(RouteTable routes, std::shared_ptr<grpc::Channel> channel,
                std::vector<std::string> cors_origins)
      : routes_(std::move(routes)), forwarder_(std::move(channel)) {
    for (std::string& origin : cors_origins) cors_origins_.insert(std::move(origin));
  }
  ~HttpFrontImpl() override { Stop(); }

  absl::Status Listen(HttpServerOptions options) {
    absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
        std::move(options),
        [this](HttpRequest request, std::shared_ptr<Exchange> exchange) {
          Handle(std::move(request), std::move(exchange));
        },
        [](int status, absl::string_view code, absl::string_view message) {
          Context context{NewRequestId(), {}};
          absl::Status error = errors::Error(
              status == 503 ? absl::StatusCode::kUnavailable : absl::StatusCode::kInvalidArgument,
              code, message);
          return JsonResponse(context, status, ErrorBody(error));
        });
    if (!server.ok()) return server.status();
    server_ = *std::move(server);
    return absl::OkStatus();
  }

  int port() const override { return server_->port(); }
  void StopAccepting() override { server_->StopAccepting(); }
  void Stop() override {
    absl::MutexLock lock(&stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    server_->StopAccepting();
    forwarder_.WaitIdle();
    server_->Stop();
  }

 private:
  void Handle(HttpRequest request, std::shared_ptr<Exchange> exchange) {
    Context context{NewRequestId(), CorsHeaders(request)};
    absl::string_view target = request.target;
    absl::string_view path = target.substr(0, target.find('?'));
    absl::string_view query =
        path.size() < target.size() ? target.substr(path.size() + 1) : absl::string_view();
    if (absl::StartsWith(path, kServicePrefix) &&
        (path.size() == kServicePrefix.size() || path[kServicePrefix.size()] == '/')) {
      path.remove_prefix(kServicePrefix.size());
    }
    if (request.method == "OPTIONS") {
      exchange->Respond(Preflight(context, request, path));
      return;
    }
    RouteMatch match;
    bool path_exists = false;
    if (routes_.Match(request.method, path, &match, &path_exists) == nullptr) {
      if (!path_exists) {
        exchange->Respond(ErrorResponse(
            context, errors::Error(absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                                   absl::StrCat("no route for ", errors::Quoted(path)))));
        return;
      }
      HttpResponse response = JsonResponse(
          context, 405,
          ErrorBody(errors::Error(absl::StatusCode::kUnimplemented, "METHOD_NOT_ALLOWED",
                                  absl::StrCat(errors::Quoted(request.method, 16),
                                               " is not served on ", errors::Quoted(path)))));
      response.headers.emplace_back("Allow", absl::StrJoin(routes_.VerbsFor(path), ", "));
      exchange->Respond(std::move(response));
      return;
    }
    if (!match.route->served) {
      exchange->Respond(ErrorResponse(
          context, errors::Error(absl::StatusCode::kUnimplemented, "SERVICE_NOT_SERVED",
                                 absl::StrCat(match.route->method->service()->full_name(),
                                              " is not served by this server"))));
      return;
    }
    for (auto& [field, value] : match.path_params) {
      std::string decoded;
      if (absl::Status s = PercentDecode(value, /*plus_is_space=*/false, &decoded); !s.ok()) {
        exchange->Respond(ErrorResponse(context, s));
        return;
      }
      value = std::move(decoded);
    }
    const google::protobuf::MethodDescriptor* method = match.route->method;
    std::unique_ptr<google::protobuf::Message> message = NewMessage(method->input_type());
    if (absl::Status built = BuildRequest(match, query, request.body, message.get()); !built.ok()) {
      exchange->Respond(ErrorResponse(context, built));
      return;
    }
    CallMetadata metadata;
    for (const char* name : kCredentialHeaders) {
      for (const auto& [header, value] : request.headers) {
        if (header == name) metadata.emplace_back(header, SafeMetadataValue(value));
      }
    }
    metadata.emplace_back(kRequestIdHeader, context.request_id);
    const std::string bytes = message->SerializeAsString();
    if (method->server_streaming()) {
      auto* stream = new SseStream(context, exchange, method->output_type());
      std::shared_ptr<StreamHandle> handle =
          forwarder_.ServerStream(match.route->grpc_path, metadata, bytes, stream);
      exchange->OnClientGone([handle] { handle->Cancel(); });
      return;
    }
    const google::protobuf::Descriptor* output = method->output_type();
    forwarder_.Unary(match.route->grpc_path, metadata, bytes,
                     [context = std::move(context), exchange, output](const grpc::Status& status,
                                                                      std::string response) {
                       exchange->Respond(Answer(context, status, response, output));
                     });
  }

  static HttpResponse Answer(const Context& context, const grpc::Status& status,
                             const std::string& response,
                             const google::protobuf::Descriptor* output) {
    if (!status.ok()) return ErrorResponse(context, errors::FromGrpcStatus(status));
    std::unique_ptr<google::protobuf::Message> message = NewMessage(output);
    if (!message->ParseFromString(response)) {
      return ErrorResponse(context, absl::InternalError("unreadable answer"));
    }
    absl::StatusOr<std::string> json = ToJson(*message);
    if (!json.ok()) return ErrorResponse(context, json.status());
    return JsonResponse(context, 200, *std::move(json));
  }

  // Access-Control-* for a request from a listed origin; nothing otherwise,
  // so a browser keeps other sites' pages from reading answers.
  Headers CorsHeaders(const HttpRequest& request) const {
    Headers headers;
    const std::string origin = request.Header("origin");
    if (origin.empty() || !cors_origins_.contains(origin)) return headers;
    headers.emplace_back("Access-Control-Allow-Origin", origin);
    headers.emplace_back("Access-Control-Allow-Credentials", "true");
    headers.emplace_back("Access-Control-Expose-Headers", kExposedHeaders);
    headers.emplace_back("Vary", "Origin");
    return headers;
  }

  HttpResponse Preflight(const Context& context, const HttpRequest& request,
                         absl::string_view path) const {
    const std::vector<std::string> verbs = routes_.VerbsFor(path);
    if (verbs.empty()) {
      return ErrorResponse(context,
                           errors::Error(absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                                         absl::StrCat("no route for ", errors::Quoted(path))));
    }
    HttpResponse response = JsonResponse(context, 204, "");
    response.content_type.clear();
    response.headers.emplace_back("Allow", absl::StrJoin(verbs, ", "));
    if (!context.cors.empty()) {
      response.headers.emplace_back("Access-Control-Allow-Methods", absl::StrJoin(verbs, ", "));
      response.headers.emplace_back("Access-Control-Allow-Headers", kAllowedHeaders);
      response.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return response;
  }

  const RouteTable routes_;
  GrpcForwarder forwarder_;
  absl::flat_hash_set<std::string> cors_origins_;
  std::unique_ptr<HttpServer> server_;
  absl::Mutex stop_mu_;
  bool stopped_ ABSL_GUARDED_BY(stop_mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HttpFront>> HttpFront::Start(
    HttpFrontOptions options, std::shared_ptr<grpc::Channel> channel,
    const std::vector<const google::protobuf::ServiceDescriptor*>& services,
    const absl::flat_hash_set<std::string>& served) {
  absl::StatusOr<RouteTable> routes = RouteTable::FromDescriptors(services, served);
  if (!routes.ok()) return routes.status();
  auto front = std::make_unique<HttpFrontImpl>(*std::move(routes), std::move(channel),
                                               std::move(options.cors_origins));
  if (absl::Status listening = front->Listen(std::move(options.server)); !listening.ok()) {
    return listening;
  }
  return front;
}

}  // namespace backinstock::http
