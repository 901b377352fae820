// Email service calls for end-to-end tests: one line per call, status decoded.
#ifndef BACKINSTOCK_TESTS_SUPPORT_EMAIL_CALLS_H_
#define BACKINSTOCK_TESTS_SUPPORT_EMAIL_CALLS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "backinstock/errors/error.h"
#include "backinstock/errors/grpc_status.h"
#include "backinstock/v1/email.grpc.pb.h"
#include "tests/support/settings_calls.h"

namespace backinstock::testing {

// The first BadRequest field violation's field, or "" without one.
inline std::string ViolationField(const absl::Status& status) {
  auto bad_request = errors::BadRequestOf(status);
  if (!bad_request || bad_request->field_violations().empty()) return "";
  return bad_request->field_violations(0).field();
}

inline std::string Metadata(const absl::Status& status, const std::string& key) {
  auto info = errors::ErrorInfoOf(status);
  if (!info) return "";
  auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "" : it->second;
}

// An item as a report gives it.
inline v1::BackInStockItemDetails Item(const std::string& name = "Blue Widget",
                                       const std::string& price = "19.99") {
  v1::BackInStockItemDetails item;
  item.set_name(name);
  item.set_price(price);
  return item;
}

class EmailCalls {
 public:
  explicit EmailCalls(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::BackInStockEmailService::NewStub(std::move(channel))) {}

  absl::StatusOr<v1::EmailTemplate> Get(const Credentials& who) {
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    v1::GetEmailTemplateResponse response;
    grpc::Status status =
        stub_->GetEmailTemplate(&context, v1::GetEmailTemplateRequest(), &response);
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return response.template_();
  }

  absl::StatusOr<v1::EmailTemplate> Update(const Credentials& who, const v1::EmailTemplate& values,
                                           const std::vector<std::string>& paths,
                                           int64_t expected_revision = 0) {
    v1::UpdateEmailTemplateRequest request;
    *request.mutable_template_() = values;
    for (const std::string& path : paths) request.mutable_update_mask()->add_paths(path);
    request.set_expected_revision(expected_revision);
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    v1::UpdateEmailTemplateResponse response;
    grpc::Status status = stub_->UpdateEmailTemplate(&context, request, &response);
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return response.template_();
  }

  // Sets one field (by proto name) to `value`.
  absl::StatusOr<v1::EmailTemplate> Set(const Credentials& who, const std::string& field,
                                        const std::string& value) {
    v1::EmailTemplate values;
    const auto* descriptor = v1::EmailTemplate::descriptor()->FindFieldByName(field);
    if (descriptor == nullptr) return absl::InvalidArgumentError("test: no such field " + field);
    v1::EmailTemplate::GetReflection()->SetString(&values, descriptor, value);
    return Update(who, values, {field});
  }

  absl::StatusOr<v1::RenderEmailPreviewResponse> Preview(
      const Credentials& who, const v1::RenderEmailPreviewRequest& request) {
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    v1::RenderEmailPreviewResponse response;
    grpc::Status status = stub_->RenderEmailPreview(&context, request, &response);
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return response;
  }

  absl::StatusOr<std::string> SendTest(const Credentials& who,
                                       const v1::SendTestEmailRequest& request) {
    grpc::ClientContext context;
    Authorize(context, who.identity, who.elevation);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::SendTestEmailResponse response;
    grpc::Status status = stub_->SendTestEmail(&context, request, &response);
    if (!status.ok()) return errors::FromGrpcStatus(status);
    return response.message_id();
  }

 private:
  std::unique_ptr<v1::BackInStockEmailService::Stub> stub_;
};

}  // namespace backinstock::testing

#endif  // BACKINSTOCK_TESTS_SUPPORT_EMAIL_CALLS_H_
