#include "server/runtime/storage_health.h"

#include <grpcpp/health_check_service_interface.h>

#include "server/logging/log.h"

namespace backinstock::runtime {

void StorageHealth::Fail(const absl::Status& failure) {
  absl::MutexLock lock(&mu_);
  failed_ = true;
  logging::Error("storage failed: health is NOT_SERVING until the server is restarted",
                 {{"error", failure.message()}});
  // Every service the health service knows, "" and "backinstock.store" included.
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(false);
}

void StorageHealth::Attach(grpc::Server* server) {
  absl::MutexLock lock(&mu_);
  server_ = server;
  if (server_ == nullptr) return;
  server_->GetHealthCheckService()->SetServingStatus("backinstock.store", !failed_);
  if (failed_) server_->GetHealthCheckService()->SetServingStatus(false);
}

}  // namespace backinstock::runtime
