#include "server/auth/gate.h"

#include "backinstock/errors/error.h"

namespace backinstock::auth {

absl::StatusOr<std::shared_ptr<const Decision>> Gate::Admitted(
    const grpc::ServerContextBase* context) const {
  std::shared_ptr<const Decision> decision = registry_->Find(static_cast<const void*>(context));
  if (!decision) {
    return errors::Error(absl::StatusCode::kInternal, "AUTHORIZATION_NOT_RUN",
                         "the call was not authorized; refusing it");
  }
  if (!decision->status.ok()) return decision->status;
  return decision;
}

absl::StatusOr<Caller> Gate::Admit(const grpc::ServerContextBase* context) const {
  absl::StatusOr<std::shared_ptr<const Decision>> decision = Admitted(context);
  if (!decision.ok()) return decision.status();
  return (*decision)->ToCaller();
}

absl::StatusOr<Gate::AdmittedStream> Gate::AdmitStream(
    const grpc::ServerContextBase* context) const {
  absl::StatusOr<std::shared_ptr<const Decision>> decision = Admitted(context);
  if (!decision.ok()) return decision.status();
  return AdmittedStream{(*decision)->ToCaller(), StreamCredentials::Of(**decision)};
}

}  // namespace backinstock::auth
