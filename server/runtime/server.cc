#include "server/runtime/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "backinstock/v1/email.pb.h"
#include "grpc/health/v1/health.pb.h"
#include "server/api/email_service.h"
#include "server/api/notification_request_service.h"
#include "server/api/serial_site_writes.h"
#include "server/api/settings_service.h"
#include "server/api/stream_tracker.h"
#include "server/api/work_queue.h"
#include "server/auth/audit_log.h"
#include "server/auth/auth_interceptor.h"
#include "server/auth/authorizer.h"
#include "server/auth/call_registry.h"
#include "server/auth/gate.h"
#include "server/auth/method_permissions.h"
#include "server/delivery/delivery_queue.h"
#include "server/domain/email_preview.h"
#include "server/domain/email_template_manager.h"
#include "server/domain/notification_requests/notification_request_manager.h"
#include "server/domain/settings_manager.h"
#include "server/email/maildir_writer.h"
#include "server/http/http_front.h"
#include "server/logging/log.h"
#include "server/metrics/http_endpoint.h"
#include "server/metrics/service_metrics.h"
#include "server/retention/etcd_sweep_leadership.h"
#include "server/retention/retention_sweeper.h"
#include "server/runtime/call_log_interceptor.h"
#include "server/runtime/credentials.h"
#include "server/runtime/storage_health.h"
#include "server/runtime/stores.h"

namespace backinstock::runtime {
namespace {

// Removes the reflection plugin that linking grpc++_reflection installs in
// every ServerBuilder, for --reflection=false.
class WithoutReflection : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(
        std::remove_if(plugins->begin(), plugins->end(),
                       [](const auto& p) { return p->name() == "proto_server_reflection"; }),
        plugins->end());
  }
};

// The gRPC services whose calls are measured: ours (every service the
// permission table knows, so a new one is measured as soon as it is gated),
// health and reflection. Calls to anything else count as one "unknown" method.
std::vector<std::string> MeasuredServices() {
  std::vector<std::string> services = {"grpc.health.v1.Health",
                                       "grpc.reflection.v1alpha.ServerReflection"};
  if (absl::StatusOr<auth::MethodPermissions> table = auth::MethodPermissions::FromDescriptors();
      table.ok()) {
    for (const std::string& path : table->GatedMethods()) {
      std::string service = path.substr(1, path.rfind('/') - 1);
      if (std::find(services.begin(), services.end(), service) == services.end()) {
        services.push_back(std::move(service));
      }
    }
  }
  return services;
}

// The From address and Message-ID domain of emails written into a Maildir
// when no --mail_from is given (there is no relay to deliver them).
constexpr char kLocalMailFrom[] = "back-in-stock@localhost.localdomain";

// --mail_dir, or <data_dir>/mail, or a new temporary directory (kept after
// exit: its emails are there to be read).
absl::StatusOr<std::string> MailDir(const ServerConfig& config) {
  if (!config.mail_dir.empty()) return config.mail_dir;
  if (!config.data_dir.empty()) return absl::StrCat(config.data_dir, "/mail");
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/backinstock-mail-XXXXXX");
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot create a Maildir under ", pattern, ": ", std::strerror(errno)));
  }
  return pattern;
}

constexpr char kAuditHealth[] = "backinstock.audit";
constexpr absl::Duration kAuditFlushTimeout = absl::Seconds(5);

// Writers that may wait on storage at once, and how many more may queue.
constexpr int kBlockingWriteThreads = 32;
constexpr size_t kMaxQueuedWrites = 4096;
// Test emails wait on the relay (seconds at worst): a couple at a time is
// plenty for a merchant clicking "send a test", and the sender serialises
// its SMTP session anyway.
constexpr int kEmailSendThreads = 2;
constexpr size_t kMaxQueuedEmailSends = 32;

class ServerImpl final : public Server {
 public:
  explicit ServerImpl(ServerConfig config)
      : config_(std::move(config)),
        metrics_(config_.metrics_listen.empty()
                     ? nullptr
                     : std::make_unique<metrics::ServiceMetrics>(MeasuredServices())),
        gate_(&registry_),
        streams_(api::StreamLimits{config_.max_watch_streams_per_site, config_.max_watch_streams},
                 metrics_ ? metrics_->watch_streams_open() : nullptr) {}

  ~ServerImpl() override {
    Shutdown();
    Wait();
    // Its workers use the stores and templates below (Shutdown stops it too,
    // but not when Init failed before the server was built).
    if (delivery_) delivery_->Stop();
    if (retention_) retention_->Stop();
    // The etcd watch reports health from its own thread: not to a dead server.
    if (stores_.etcd) stores_.etcd->SetHealthCallback(nullptr);
  }

  // Builds the components in dependency order (stores, authorization,
  // services), then serves.
  absl::Status Init() {
    absl::StatusOr<Stores> stores = MakeStores(config_, storage_health_, StoreObserversFor());
    if (!stores.ok()) return stores.status();
    stores_ = *std::move(stores);
    if (absl::Status authorization = InitAuthorization(); !authorization.ok()) {
      return authorization;
    }
    // A journal or etcd makes writes wait on I/O: they run on a pool of their
    // own so that gRPC's few callback threads stay free and concurrent writes
    // share fsyncs / round trips. Memory writes never wait and run inline.
    if (stores_.writes_wait()) {
      blocking_writes_ = std::make_unique<api::WorkQueue>(kBlockingWriteThreads, kMaxQueuedWrites);
      settings_writes_ =
          std::make_unique<api::SerialSiteWrites>(blocking_writes_.get(), kMaxQueuedWrites);
    }
    settings_ = std::make_unique<domain::SettingsManager>(stores_.settings.get(),
                                                          config_.supported_app_ids);
    settings_service_ = std::make_unique<api::SettingsService>(
        &gate_, settings_.get(), stores_.settings.get(), &streams_, settings_writes_.get());
    // The email's templates first: the delivery queue renders with them.
    if (absl::Status email = InitEmail(); !email.ok()) return email;
    if (absl::Status requests = InitNotificationRequests(); !requests.ok()) return requests;
    if (absl::Status serving = StartServing(); !serving.ok()) return serving;
    ReportHealth();
    return absl::OkStatus();
  }

  // What the metrics measure of the stores (nothing without --metrics_listen).
  StoreObservers StoreObserversFor() {
    StoreObservers observers;
    if (!metrics_) return observers;
    observers.fsync_seconds = [metrics = metrics_.get()](absl::string_view journal) {
      return metrics->JournalFsyncSeconds(journal);
    };
    observers.etcd_txn = [seconds = metrics_->etcd_txn_seconds(),
                          sizes = metrics_->etcd_txn_group_size()](absl::Duration latency,
                                                                   int writes) {
      seconds->Observe(absl::ToDoubleSeconds(latency));
      sizes->Observe(writes);
    };
    return observers;
  }

  // The keys, the authorizer that checks every call against the permission
  // table, and the audit log of elevated calls.
  absl::Status InitAuthorization() {
    absl::StatusOr<auth::MethodPermissions> permissions =
        auth::MethodPermissions::FromDescriptors();
    if (!permissions.ok()) return permissions.status();
    keys_ = std::make_shared<auth::KeyRing>(config_.keys);
    authorizer_ = std::make_unique<auth::Authorizer>(keys_, *std::move(permissions),
                                                     auth::VerifierOptions{config_.clock_skew});
    absl::StatusOr<std::unique_ptr<auth::AuditLog>> audit = auth::AuditLog::Open(
        config_.audit_log, [this](const absl::Status& health) { OnAuditHealth(health); });
    if (!audit.ok()) return audit.status();
    audit_ = *std::move(audit);
    return absl::OkStatus();
  }

  // The gRPC server with the three services, health, reflection and the one
  // interceptor; then the metrics endpoint and the HTTP front.
  absl::Status StartServing() {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(config_);
    if (!credentials.ok()) return credentials.status();

    // Reflection describes grpc.health.v1.Health only if its descriptor is
    // linked in; naming it here keeps the linker from dropping it.
    (void)grpc::health::v1::HealthCheckRequest::descriptor();
    grpc::EnableDefaultHealthCheckService(true);
    if (config_.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();

    grpc::ServerBuilder builder;
    if (!config_.reflection) builder.SetOption(std::make_unique<WithoutReflection>());
    builder.AddListeningPort(config_.listen, *credentials, &port_);
    builder.RegisterService(settings_service_.get());
    builder.RegisterService(requests_service_.get());
    builder.RegisterService(email_service_.get());
    SetLimits(builder);

    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    // One interceptor for authorization, call log and metrics
    // (call_log_interceptor.h says why one).
    interceptors.push_back(std::make_unique<CallInterceptorFactory>(
        auth::AuthorizationContext{authorizer_.get(), &registry_, audit_.get(),
                                   metrics_ ? &metrics_->auth() : nullptr},
        metrics_ ? &metrics_->grpc() : nullptr));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));

    if (absl::Status serving = StartMetricsEndpoint(); !serving.ok()) return serving;
    server_ = builder.BuildAndStart();
    if (!server_ || port_ == 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", config_.listen));
    }
    return StartHttpFront();
  }

  // Message and metadata sizes, streams per connection, keepalive.
  void SetLimits(grpc::ServerBuilder& builder) const {
    builder.SetMaxReceiveMessageSize(config_.max_message_bytes);
    builder.SetMaxSendMessageSize(config_.max_message_bytes);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config_.max_concurrent_streams);
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, config_.max_metadata_bytes);
    // Keepalive: ping idle clients every minute, drop them after 20 s without
    // an answer; refuse clients that ping more often than every 10 s.
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60'000);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20'000);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  }

  // grpc.health.v1: "" serving, "backinstock.audit" from the audit log,
  // "backinstock.store" from the journals or etcd's quorum.
  void ReportHealth() {
    server_->GetHealthCheckService()->SetServingStatus(true);
    {
      absl::MutexLock lock(&mu_);
      server_->GetHealthCheckService()->SetServingStatus(kAuditHealth, audit_->healthy());
    }
    if (stores_.journaled) storage_health_->Attach(server_.get());
    if (stores_.etcd) {
      // "backinstock.store" in grpc.health.v1 says whether writes can reach an
      // etcd quorum; the server itself ("") keeps serving reads from the cache.
      stores_.etcd->SetHealthCallback([this](bool writable) {
        absl::MutexLock lock(&mu_);
        if (shut_down_) return;
        server_->GetHealthCheckService()->SetServingStatus("backinstock.store", writable);
      });
    }
  }

  int port() const override { return port_; }
  int metrics_port() const override { return metrics_endpoint_ ? metrics_endpoint_->port() : 0; }

  // --metrics_listen: the scrape endpoint, on a thread of its own.
  absl::Status StartMetricsEndpoint() {
    if (!metrics_) return absl::OkStatus();
    metrics::HttpEndpoint::Options options;
    options.listen = config_.metrics_listen;
    options.page = [registry = &metrics_->registry()] { return registry->Render(); };
    absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> endpoint =
        metrics::HttpEndpoint::Start(std::move(options));
    if (!endpoint.ok()) return endpoint.status();
    metrics_endpoint_ = *std::move(endpoint);
    return absl::OkStatus();
  }

  // "backinstock.audit" in grpc.health.v1 says whether the audit log is being
  // written; while it is not, elevated calls are refused (AUDIT_UNAVAILABLE)
  // and the rest go on, so the server itself ("") keeps serving.
  void OnAuditHealth(const absl::Status& health) {
    if (health.ok()) {
      logging::Info("audit log writable again");
    } else {
      logging::Error("audit log cannot be written: elevated calls are refused until it can",
                     {{"error", health.message()}});
    }
    absl::MutexLock lock(&mu_);
    if (shut_down_ || !server_) return;
    server_->GetHealthCheckService()->SetServingStatus(kAuditHealth, health.ok());
  }

  int http_port() const override { return http_ ? http_->port() : 0; }

  // The HTTP/JSON front over the services registered above, calling them
  // through the server's in-process channel (same interceptors and gate).
  absl::Status StartHttpFront() {
    if (config_.http_listen.empty()) return absl::OkStatus();
    http::HttpFrontOptions options;
    options.server.listen = config_.http_listen;
    options.server.max_body_bytes = static_cast<size_t>(config_.max_message_bytes);
    options.server.max_header_bytes = static_cast<size_t>(config_.max_metadata_bytes);
    options.server.max_connections = config_.http_max_connections;
    options.server.idle_timeout = config_.http_idle_timeout;
    options.server.request_timeout = config_.http_request_timeout;
    options.cors_origins = config_.http_cors_origins;
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(config_.max_message_bytes);
    arguments.SetMaxSendMessageSize(config_.max_message_bytes);
    // Every service of the contract has routes; those not registered with
    // the builder above answer 501 (keep this list in step with it).
    std::vector<const google::protobuf::ServiceDescriptor*> services = {
        v1::GetSettingsRequest::descriptor()->file()->service(0),
        v1::GetBackInStockNotificationRequestRequest::descriptor()->file()->service(0),
        v1::GetEmailTemplateRequest::descriptor()->file()->service(0)};
    const absl::flat_hash_set<std::string> served = {
        "backinstock.v1.BackInStockSettingsService",
        "backinstock.v1.BackInStockNotificationRequestService",
        "backinstock.v1.BackInStockEmailService"};
    absl::StatusOr<std::unique_ptr<http::HttpFront>> front = http::HttpFront::Start(
        std::move(options), server_->InProcessChannel(arguments), services, served);
    if (!front.ok()) return front.status();
    http_ = *std::move(front);
    return absl::OkStatus();
  }

  // The notification request service: delivery, cursor key, manager.
  absl::Status InitNotificationRequests() {
    if (absl::Status delivery = StartDelivery(); !delivery.ok()) return delivery;
    absl::StatusOr<domain::query::CursorCodec> cursors =
        config_.cursor_secret.empty()
            ? domain::query::CursorCodec::WithRandomSecret()
            : domain::query::CursorCodec::WithSecret(config_.cursor_secret);
    if (!cursors.ok()) return cursors.status();
    domain::NotificationRequestOptions options;
    options.max_requests_per_site = config_.max_requests_per_site;
    if (!maildir_.empty()) {
      options.erase_sent_copies = [dir = maildir_](absl::string_view email) {
        return email::EraseFromMaildir(dir, email);
      };
    }
    requests_ = std::make_unique<domain::NotificationRequestManager>(
        stores_.requests.get(), settings_.get(), delivery_.get(), *std::move(cursors),
        std::move(options));
    // Emails queued before a restart (or, with etcd, by a replica that died).
    if (absl::Status resumed = stores_.requests->ResumeDeliveries(
            // Shared: etcd's sweeper thread may hand over an email until the
            // backend is destroyed, after this queue's member (a stopped queue
            // only holds what it is given).
            [queue = delivery_](const std::string& site, store::RecordPtr record) {
              queue->Schedule(site, std::move(record));
            });
        !resumed.ok()) {
      return resumed;
    }
    requests_service_ = std::make_unique<api::NotificationRequestService>(
        &gate_, requests_.get(), stores_.requests.get(), &streams_,
        api::NotificationRequestServiceOptions(), blocking_writes_.get());
    StartRetention();
    return absl::OkStatus();
  }

  // The retention sweep over the request store, on every backend; with etcd
  // the replicas take turns through a leader key on their leases.
  void StartRetention() {
    retention::RetentionOptions options;
    options.policy.settled = config_.retention_settled;
    options.policy.open = config_.retention_open;
    if (!options.policy.enabled()) return;
    options.interval = config_.retention_sweep_interval;
    options.batch = static_cast<size_t>(config_.retention_sweep_batch);
    if (stores_.etcd) {
      options.leadership = std::make_unique<retention::EtcdSweepLeadership>(stores_.etcd->client(),
                                                                            stores_.etcd->lease());
    }
    if (metrics_) {
      options.on_sweep =
          [settled = metrics_->RetentionDeleted("settled"),
           open = metrics_->RetentionDeleted("open")](const retention::SweepResult& swept) {
            settled->Increment(static_cast<uint64_t>(swept.deleted_settled));
            open->Increment(static_cast<uint64_t>(swept.deleted_open));
          };
    }
    retention_ =
        std::make_unique<retention::RetentionSweeper>(stores_.requests.get(), std::move(options));
  }

  // The background delivery of notification emails: to the relay, or into a
  // Maildir without one.
  absl::Status StartDelivery() {
    delivery::DeliveryOptions options;
    options.concurrency = config_.delivery_concurrency;
    options.retry.max_attempts = config_.delivery_max_attempts;
    options.retry.max_age = config_.delivery_max_age;
    options.retry.initial = config_.delivery_retry_initial;
    options.retry.max = config_.delivery_retry_max;
    options.mail_from = config_.smtp.mail_from.empty() ? kLocalMailFrom : config_.smtp.mail_from;
    if (metrics_) options.metrics = metrics_->notifications();
    delivery::SenderFactory senders;
    if (!config_.smtp.url.empty()) {
      mail_destination_ = config_.smtp.url;
      senders = [smtp = config_.smtp] { return email::MakeSmtpSender(smtp); };
    } else {
      absl::StatusOr<std::string> dir = MailDir(config_);
      if (!dir.ok()) return dir.status();
      mail_destination_ = *dir;
      maildir_ = *dir;
      senders = [dir = *dir] { return email::OpenMaildir(dir); };
    }
    absl::StatusOr<std::unique_ptr<delivery::DeliveryQueue>> queue = delivery::DeliveryQueue::Start(
        stores_.requests.get(), email_templates_.get(), senders, std::move(options));
    if (!queue.ok()) return queue.status();
    delivery_ = *std::move(queue);
    logging::Info("notification emails go to", {{"destination", mail_destination_}});
    return absl::OkStatus();
  }

  std::string mail_destination() const override { return mail_destination_; }

  // The email service: template manager, relay, test sends.
  absl::Status InitEmail() {
    email_templates_ =
        std::make_unique<domain::EmailTemplateManager>(stores_.email_templates.get());
    if (!config_.smtp.url.empty()) {
      absl::StatusOr<std::unique_ptr<email::MailSender>> sender =
          email::MakeSmtpSender(config_.smtp);
      if (!sender.ok()) return sender.status();
      mail_sender_ = *std::move(sender);
    }
    test_email_sender_ = std::make_unique<domain::TestEmailSender>(
        email_templates_.get(), mail_sender_.get(), config_.smtp.mail_from);
    email_sends_ = std::make_unique<api::WorkQueue>(kEmailSendThreads, kMaxQueuedEmailSends);
    email_service_ = std::make_unique<api::EmailService>(
        &gate_, email_templates_.get(), test_email_sender_.get(), email_sends_.get(),
        blocking_writes_.get());
    return absl::OkStatus();
  }

  void Shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_ || !server_) return;
      shut_down_ = true;
    }
    logging::Info("shutting down", {{"grace_s", absl::ToDoubleSeconds(config_.shutdown_grace)}});
    storage_health_->Attach(nullptr);
    server_->GetHealthCheckService()->SetServingStatus(false);
    const absl::Time deadline = absl::Now() + config_.shutdown_grace;
    if (http_) http_->StopAccepting();
    streams_.CloseAll();
    // When the grace period is over, work that is still waiting (for example
    // on an unreachable etcd) must not hold the process for its deadlines.
    absl::Notification finished;
    std::thread enforcer([this, deadline, &finished] {
      if (!finished.WaitForNotificationWithDeadline(deadline)) RefuseWaitingWork();
    });
    server_->Shutdown(absl::ToChronoTime(deadline));
    finished.Notify();
    enforcer.join();
    // Every forwarded call has ended with the server: their answers go out,
    // then the HTTP connections close.
    if (http_) http_->Stop();
    // Attempts under way finish (bounded by the relay timeout); what is still
    // queued stays PROCESSING in the store for the next start to resume.
    if (delivery_) delivery_->Stop();
    if (retention_) retention_->Stop();
    // A stalled or failing audit sink must not hold the exit forever.
    if (!audit_->Flush(kAuditFlushTimeout)) logging::Error("audit log not flushed at shutdown");
    logging::Flush();
  }

  // Queued calls that have not started are answered UNAVAILABLE; etcd calls
  // in flight are cancelled and later ones fail at once, so running work ends
  // within moments.
  void RefuseWaitingWork() {
    size_t refused = 0;
    if (blocking_writes_) refused += blocking_writes_->RefuseQueued();
    if (requests_service_) refused += requests_service_->RefuseQueuedWork();
    if (email_sends_) refused += email_sends_->RefuseQueued();
    if (stores_.etcd) stores_.etcd->Abort();
    logging::Warning("shutdown grace period over: queued calls refused, store calls cancelled",
                     {{"refused", static_cast<int64_t>(refused)}});
  }

  void Wait() override {
    if (server_) server_->Wait();
  }

  absl::Status ReloadKeys() override {
    if (config_.keys_file.empty()) return absl::FailedPreconditionError("no keys file to reload");
    absl::StatusOr<auth::Keys> keys = auth::LoadKeysFile(config_.keys_file);
    if (!keys.ok()) return keys.status();
    keys_->Replace(*std::move(keys));
    // Streams outlive the calls that admitted them: end those whose key is gone.
    if (size_t ended = streams_.EndUnverifiable(*keys_->Current()); ended > 0) {
      logging::Info("streams ended: their key was removed", {{"streams", int64_t(ended)}});
    }
    return absl::OkStatus();
  }

 private:
  ServerConfig config_;
  // First, so destroyed last: the audit log's writer reports its health
  // (OnAuditHealth takes mu_) until it is destroyed, and the etcd health
  // callback takes it too.
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  // Null without --metrics_listen. Declared early: everything below may hold
  // pointers into it, so it outlives them; the endpoint that reads it goes first.
  std::unique_ptr<metrics::ServiceMetrics> metrics_;
  std::shared_ptr<StorageHealth> storage_health_ = std::make_shared<StorageHealth>();
  // Declared before everything that uses them, so destroyed after it.
  Stores stores_;
  std::unique_ptr<domain::SettingsManager> settings_;
  std::shared_ptr<auth::KeyRing> keys_;
  std::unique_ptr<auth::Authorizer> authorizer_;
  auth::CallRegistry registry_;
  std::unique_ptr<auth::AuditLog> audit_;
  auth::Gate gate_;
  api::StreamTracker streams_;
  // Start and Stop's lines of writes per site, on blocking_writes_ (at most
  // as many parked calls as the queue holds jobs). Declared before it, so
  // destroyed after it: the queue's last jobs continue lines.
  std::unique_ptr<api::SerialSiteWrites> settings_writes_;
  // Declared before the services and server_: destroyed after them, once
  // every write it accepted has answered.
  std::unique_ptr<api::WorkQueue> blocking_writes_;
  std::unique_ptr<api::SettingsService> settings_service_;
  // Before the manager that schedules on it; stopped in Shutdown, once no
  // report can queue more.
  std::shared_ptr<delivery::DeliveryQueue> delivery_;
  std::string mail_destination_;
  std::unique_ptr<domain::NotificationRequestManager> requests_;
  // After the stores, so stopped before they go.
  std::unique_ptr<retention::RetentionSweeper> retention_;
  // Declared before server_, so destroyed after it: server shutdown waits for
  // the reports in progress to reply, then the service's work queue joins.
  std::unique_ptr<api::NotificationRequestService> requests_service_;
  std::unique_ptr<domain::EmailTemplateManager> email_templates_;
  std::unique_ptr<email::MailSender> mail_sender_;  // null without --smtp_url
  std::string maildir_;  // where delivered emails are kept without --smtp_url
  std::unique_ptr<domain::TestEmailSender> test_email_sender_;
  // Before server_ like the services: joins once every test send answered.
  std::unique_ptr<api::WorkQueue> email_sends_;
  std::unique_ptr<api::EmailService> email_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<metrics::HttpEndpoint> metrics_endpoint_;
  // After server_: its forwarded calls need the server; stopped in Shutdown.
  std::unique_ptr<http::HttpFront> http_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerConfig config) {
  auto server = std::make_unique<ServerImpl>(std::move(config));
  absl::Status started = server->Init();
  if (!started.ok()) return started;
  return server;
}

}  // namespace backinstock::runtime
