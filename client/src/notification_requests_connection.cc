#include "backinstock/client/notification_requests_connection.h"

#include <memory>
#include <utility>

#include "backinstock/client/channel.h"
#include "backinstock/v1/notification_requests.grpc.pb.h"
#include "client/src/grpc_stream_reader.h"
#include "client/src/unary_call.h"

namespace backinstock::client {
namespace {

using Service = v1::BackInStockNotificationRequestService;

class GrpcNotificationRequestsConnection final : public NotificationRequestsConnection {
 public:
  GrpcNotificationRequestsConnection(std::shared_ptr<grpc::Channel> channel,
                                     ConnectionOptions options)
      : stub_(Service::NewStub(std::move(channel))), options_(std::move(options)) {}

  absl::StatusOr<v1::CreateBackInStockNotificationRequestResponse>
  CreateBackInStockNotificationRequest(
      const v1::CreateBackInStockNotificationRequestRequest& request,
      const CallOptions& call) override {
    using Response = v1::CreateBackInStockNotificationRequestResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->CreateBackInStockNotificationRequest(context, request, response);
        });
  }

  absl::StatusOr<v1::GetBackInStockNotificationRequestResponse> GetBackInStockNotificationRequest(
      const v1::GetBackInStockNotificationRequestRequest& request,
      const CallOptions& call) override {
    using Response = v1::GetBackInStockNotificationRequestResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->GetBackInStockNotificationRequest(context, request, response);
        });
  }

  absl::StatusOr<v1::DeleteBackInStockNotificationRequestResponse>
  DeleteBackInStockNotificationRequest(
      const v1::DeleteBackInStockNotificationRequestRequest& request,
      const CallOptions& call) override {
    using Response = v1::DeleteBackInStockNotificationRequestResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->DeleteBackInStockNotificationRequest(context, request, response);
        });
  }

  absl::StatusOr<v1::MarkAsNotificationSentResponse> MarkAsNotificationSent(
      const v1::MarkAsNotificationSentRequest& request, const CallOptions& call) override {
    using Response = v1::MarkAsNotificationSentResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->MarkAsNotificationSent(context, request, response);
        });
  }

  absl::StatusOr<v1::QueryBackInStockNotificationRequestsResponse>
  QueryBackInStockNotificationRequests(
      const v1::QueryBackInStockNotificationRequestsRequest& request,
      const CallOptions& call) override {
    using Response = v1::QueryBackInStockNotificationRequestsResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->QueryBackInStockNotificationRequests(context, request, response);
        });
  }

  absl::StatusOr<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>
  GetBackInStockNotificationRequestsCountByCatalogReferences(
      const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& request,
      const CallOptions& call) override {
    using Response = v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->GetBackInStockNotificationRequestsCountByCatalogReferences(context, request,
                                                                                   response);
        });
  }

  absl::StatusOr<v1::ReportItemsBackInStockResponse> ReportItemsBackInStock(
      const v1::ReportItemsBackInStockRequest& request, const CallOptions& call) override {
    using Response = v1::ReportItemsBackInStockResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->ReportItemsBackInStock(context, request, response);
        });
  }

  std::unique_ptr<StreamReader<v1::WatchNotificationRequestEventsResponse>>
  WatchNotificationRequestEvents(const v1::WatchNotificationRequestEventsRequest& request,
                                 const CallOptions& call) override {
    return std::make_unique<internal::GrpcStreamReader<v1::WatchNotificationRequestEventsResponse>>(
        options_, call, [&](grpc::ClientContext* context) {
          return stub_->WatchNotificationRequestEvents(context, request);
        });
  }

  absl::StatusOr<v1::EraseCustomerDataResponse> EraseCustomerData(
      const v1::EraseCustomerDataRequest& request, const CallOptions& call) override {
    using Response = v1::EraseCustomerDataResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->EraseCustomerData(context, request, response);
        });
  }

  absl::StatusOr<v1::ExportCustomerDataResponse> ExportCustomerData(
      const v1::ExportCustomerDataRequest& request, const CallOptions& call) override {
    using Response = v1::ExportCustomerDataResponse;
    return internal::UnaryCall<Response>(
        options_, call, [&](grpc::ClientContext* context, Response* response) {
          return stub_->ExportCustomerData(context, request, response);
        });
  }

 private:
  std::unique_ptr<Service::Stub> stub_;
  const ConnectionOptions options_;
};

}  // namespace

std::shared_ptr<NotificationRequestsConnection> MakeNotificationRequestsConnection(
    ConnectionOptions options) {
  std::shared_ptr<grpc::Channel> channel = MakeChannel(options);
  return MakeNotificationRequestsConnection(std::move(channel), std::move(options));
}

std::shared_ptr<NotificationRequestsConnection> MakeNotificationRequestsConnection(
    std::shared_ptr<grpc::Channel> channel, ConnectionOptions options) {
  return std::make_shared<GrpcNotificationRequestsConnection>(std::move(channel),
                                                              std::move(options));
}

}  // namespace backinstock::client
