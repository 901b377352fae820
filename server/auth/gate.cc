#include "server/auth/gate.h"

#include "server/errors/error.h"

namespace backinstock::auth {

absl::StatusOr<Caller> Gate::Admit(const grpc::ServerContextBase* context) const {
  std::shared_ptr<const Decision> decision = registry_->Find(static_cast<const void*>(context));
  if (!decision) {
    return errors::Error(absl::StatusCode::kInternal, "AUTHORIZATION_NOT_RUN",
                         "the call was not authorized; refusing it");
  }
  if (!decision->status.ok()) return decision->status;
  return decision->ToCaller();
}

}  // namespace backinstock::auth
