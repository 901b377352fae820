#include "server/auth/auth_interceptor.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "google/protobuf/descriptor.h"

namespace backinstock::auth {

CallAuthorization::~CallAuthorization() {
  // A call that ends without sending a status still owes its line.
  if (reserved_ > 0) Audit(grpc::Status::CANCELLED);
  if (decision_) context_.registry->Erase(call_);
}

void CallAuthorization::Authorize(const CallCredentials& credentials) {
  Decision decision = context_.authorizer->Decide(method_, credentials, absl::Now());
  if (decision.status.ok() && decision.elevation) ReserveAuditLines(decision);
  decision_ = std::make_shared<const Decision>(std::move(decision));
  context_.registry->Put(call_, decision_);
  if (context_.metrics && !decision_->status.ok()) {
    context_.metrics->Denied(errors::ReasonOf(decision_->status));
  }
  if (server_streaming_ && reserved_ > 0) {
    // An elevated stream may run for as long as its credentials last:
    // it is on record from the start, not only once it ends.
    AuditRecord record = RecordOf(*decision_);
    record.event = "start";
    context_.audit->RecordReserved(record);
    --reserved_;
  }
}

void CallAuthorization::OnSendStatus(grpc::experimental::InterceptorBatchMethods* methods) {
  grpc::Status sent = methods->GetSendStatus();
  if (IsUnparsedRequest(sent)) {
    sent = errors::ToGrpcStatus(UnparsedRequestError());
    methods->ModifySendStatus(sent);
  }
  Audit(sent);
}

// A call with a verified elevation owes audit lines (a stream two: start
// and end). Room for them is set aside now; when there is none (the log is
// stalled or failing) the call is refused rather than run unrecorded.
void CallAuthorization::ReserveAuditLines(Decision& decision) {
  const size_t lines = server_streaming_ ? 2 : 1;
  if (context_.audit->Reserve(lines)) {
    reserved_ = lines;
    return;
  }
  decision.status =
      errors::Error(absl::StatusCode::kUnavailable, "AUDIT_UNAVAILABLE",
                    "the audit log cannot record this elevated call now; try again shortly");
  decision.elevated = false;
}

// gRPC 1.51's callback handlers answer a request message they cannot parse
// with UNIMPLEMENTED and no message, before any handler (and so the gate)
// runs. For a method we declare, that status can only mean an unparseable
// request.
bool CallAuthorization::IsUnparsedRequest(const grpc::Status& sent) const {
  return sent.error_code() == grpc::StatusCode::UNIMPLEMENTED && sent.error_message().empty() &&
         decision_ && !decision_->permission.empty();
}

// What such a call ends with instead: the authorization error when the call
// was not authorized (so garbage never tells an anonymous caller more than
// "who are you?"), else INVALID_ARGUMENT naming the request type.
absl::Status CallAuthorization::UnparsedRequestError() const {
  if (!decision_->status.ok()) return decision_->status;
  std::string type = "request";
  const std::string full_name = absl::StrReplaceAll(method_.substr(1), {{"/", "."}});
  if (const auto* method =
          google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full_name)) {
    type = method->input_type()->full_name();
  }
  return errors::Error(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
                       absl::StrCat("the request message is not a valid encoding of ", type));
}

// Who called, as verified (never unverified claims).
AuditRecord CallAuthorization::RecordOf(const Decision& decision) const {
  AuditRecord record;
  record.time = absl::Now();
  record.method = std::string(method_);
  if (decision.identity) {
    record.site = decision.identity->site;
    record.caller_sub = decision.identity->sub;
    record.caller_role = std::string(RoleName(decision.identity->role));
  }
  if (decision.elevation) {
    record.elevated_by = decision.elevation->sub;
    record.jti = decision.elevation->jti;
  }
  return record;
}

// One line for every call that was denied here or that used elevation.
// Neither kind ever waits on the audit sink (audit_log.h).
void CallAuthorization::Audit(const grpc::Status& sent) {
  if (!decision_) return;
  const bool denied = !decision_->status.ok();
  if (!denied && reserved_ == 0) return;
  AuditRecord record = RecordOf(*decision_);
  record.code = errors::CodeName(static_cast<absl::StatusCode>(sent.error_code()));
  if (denied) record.reason = errors::ReasonOf(decision_->status);
  if (reserved_ > 0) {
    context_.audit->RecordReserved(record);
    context_.audit->Release(reserved_ - 1);
    reserved_ = 0;
  } else {
    context_.audit->RecordDenied(record);
  }
}

}  // namespace backinstock::auth
