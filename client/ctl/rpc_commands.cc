// One backinstockctl command per RPC of both services. Each is the RPC's name
// in kebab-case (shortened for the notification requests service, which says
// "back-in-stock-notification-request" in every name); the RPC's own name is
// accepted too.
#include <string>
#include <vector>

#include "backinstock/client/notification_requests_client.h"
#include "backinstock/client/settings_client.h"
#include "client/ctl/command.h"
#include "client/ctl/rpc_runner.h"

namespace backinstock::ctl {
namespace {

using client::CallOptions;
using client::ConnectionOptions;
using client::NotificationRequestsClient;
using client::SettingsClient;

constexpr char kSettings[] = "backinstock.v1.BackInStockSettingsService/";
constexpr char kRequests[] = "backinstock.v1.BackInStockNotificationRequestService/";

SettingsClient Settings(const ConnectionOptions& options) {
  return SettingsClient(client::MakeSettingsConnection(options));
}

NotificationRequestsClient Requests(const ConnectionOptions& options) {
  return NotificationRequestsClient(client::MakeNotificationRequestsConnection(options));
}

std::vector<std::string> Flags(std::vector<std::string> extra) {
  std::vector<std::string> flags = {"request"};
  flags.insert(flags.end(), extra.begin(), extra.end());
  flags.insert(flags.end(), ConnectionFlagNames().begin(), ConnectionFlagNames().end());
  return flags;
}

// A unary command whose request's `positional_field` (if any) may be given
// as the word after the command.
template <typename Request, typename Response, typename Call>
Command Unary(std::string name, std::string rpc, std::string positional_word,
              std::string positional_field, std::string summary, std::string description,
              Call call) {
  Command command;
  command.name = name;
  command.rpc = std::move(rpc);
  command.arguments = std::move(positional_word);
  command.summary = std::move(summary);
  command.description = std::move(description);
  command.flags = Flags({});
  command.run = [name, positional_field, call](const Args& args,
                                               const std::vector<std::string>& words) {
    return RunUnary<Request, Response>(name, positional_field, args, words, call);
  };
  return command;
}

template <typename Request, typename Response, typename Start>
Command Stream(std::string name, std::string rpc, std::string summary, std::string description,
               Start start) {
  Command command;
  command.name = name;
  command.rpc = std::move(rpc);
  command.summary = std::move(summary);
  command.description = std::move(description);
  command.flags = Flags({"max_messages"});
  command.run = [name, start](const Args& args, const std::vector<std::string>& words) {
    return RunStream<Request, Response>(name, args, words, start);
  };
  return command;
}

}  // namespace

std::vector<Command> RpcCommands() {
  std::vector<Command> commands;

  // --- BackInStockSettingsService ---
  commands.push_back(Unary<v1::GetSettingsRequest, v1::GetSettingsResponse>(
      "get-settings", std::string(kSettings) + "GetSettings", "", "",
      "Print the site's settings.",
      "Prints the caller's site's settings: one collection state per supported app, and the\n"
      "revision. Needs ECOM.READ_BACK_IN_STOCK_NOTIFICATION_SETTINGS (every role has it).",
      [](const ConnectionOptions& o, const v1::GetSettingsRequest& r, const CallOptions& c) {
        return Settings(o).GetSettings(r, c);
      }));
  commands.push_back(
      Unary<v1::StartCollectingRequestsRequest, v1::StartCollectingRequestsResponse>(
          "start-collecting-requests", std::string(kSettings) + "StartCollectingRequests",
          "[APP_ID]", "app_id", "Make an app collect back-in-stock requests.",
          "Makes the app (a GUID, for example 215238eb-22a5-4c36-9e7b-e7c08025e04e for Wix\n"
          "Stores) collect requests on the caller's site and prints the settings after the\n"
          "call. Idempotent. Needs ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS: a user or\n"
          "app token, or --elevation_token.",
          [](const ConnectionOptions& o, const v1::StartCollectingRequestsRequest& r,
             const CallOptions& c) { return Settings(o).StartCollectingRequests(r, c); }));
  commands.push_back(
      Unary<v1::StopCollectingRequestsRequest, v1::StopCollectingRequestsResponse>(
          "stop-collecting-requests", std::string(kSettings) + "StopCollectingRequests",
          "[APP_ID]", "app_id", "Make an app stop collecting back-in-stock requests.",
          "Makes the app stop collecting requests on the caller's site and prints the\n"
          "settings after the call. Idempotent; same permission as start-collecting-requests.",
          [](const ConnectionOptions& o, const v1::StopCollectingRequestsRequest& r,
             const CallOptions& c) { return Settings(o).StopCollectingRequests(r, c); }));
  commands.push_back(Stream<v1::WatchSettingsRequest, v1::WatchSettingsResponse>(
      "watch-settings", std::string(kSettings) + "WatchSettings",
      "Print the settings, then again after every change.",
      "Prints the site's settings as one JSON line, then one line after every change, until\n"
      "interrupted (Ctrl-C), --max_messages lines, or the server shuts down.",
      [](const ConnectionOptions& o, const v1::WatchSettingsRequest& r, const CallOptions& c) {
        return Settings(o).WatchSettings(r, c);
      }));

  // --- BackInStockNotificationRequestService ---
  commands.push_back(Unary<v1::CreateBackInStockNotificationRequestRequest,
                           v1::CreateBackInStockNotificationRequestResponse>(
      "create-request", std::string(kRequests) + "CreateBackInStockNotificationRequest", "", "",
      "Create a notification request.",
      "Stores a customer's request to be notified, for example\n"
      "  --request '{\"request\": {\"catalogReference\": {\"catalogItemId\": \"item-1\",\n"
      "              \"appId\": \"215238eb-22a5-4c36-9e7b-e7c08025e04e\"},\n"
      "              \"email\": \"jane@example.com\"},\n"
      "             \"itemDetails\": {\"name\": \"Mug\", \"price\": \"12.50\"}}'\n"
      "and prints the stored request. Not retried: it is not idempotent.",
      [](const ConnectionOptions& o, const v1::CreateBackInStockNotificationRequestRequest& r,
         const CallOptions& c) { return Requests(o).CreateBackInStockNotificationRequest(r, c); }));
  commands.push_back(Unary<v1::GetBackInStockNotificationRequestRequest,
                           v1::GetBackInStockNotificationRequestResponse>(
      "get-request", std::string(kRequests) + "GetBackInStockNotificationRequest", "[ID]", "id",
      "Print one notification request.", "Prints the request with that id (NOT_FOUND if none).",
      [](const ConnectionOptions& o, const v1::GetBackInStockNotificationRequestRequest& r,
         const CallOptions& c) { return Requests(o).GetBackInStockNotificationRequest(r, c); }));
  commands.push_back(Unary<v1::DeleteBackInStockNotificationRequestRequest,
                           v1::DeleteBackInStockNotificationRequestResponse>(
      "delete-request", std::string(kRequests) + "DeleteBackInStockNotificationRequest", "[ID]",
      "id", "Delete one notification request.",
      "Deletes the request with that id (NOT_FOUND if none) and prints {}.",
      [](const ConnectionOptions& o, const v1::DeleteBackInStockNotificationRequestRequest& r,
         const CallOptions& c) { return Requests(o).DeleteBackInStockNotificationRequest(r, c); }));
  commands.push_back(
      Unary<v1::MarkAsNotificationSentRequest, v1::MarkAsNotificationSentResponse>(
          "mark-as-notification-sent", std::string(kRequests) + "MarkAsNotificationSent", "[ID]",
          "id", "Record that a customer was notified by other means.",
          "Sets the request's status to NOTIFICATION_SENT with autoNotified false and prints it.",
          [](const ConnectionOptions& o, const v1::MarkAsNotificationSentRequest& r,
             const CallOptions& c) { return Requests(o).MarkAsNotificationSent(r, c); }));
  commands.push_back(Unary<v1::QueryBackInStockNotificationRequestsRequest,
                           v1::QueryBackInStockNotificationRequestsResponse>(
      "query-requests", std::string(kRequests) + "QueryBackInStockNotificationRequests", "", "",
      "Print one page of the requests matching a query.",
      "Prints one page of requests, for example\n"
      "  --request '{\"query\": {\"filter\": {\"status\": \"RECEIVED\"},\n"
      "             \"sort\": [{\"fieldName\": \"createdDate\", \"order\": \"DESC\"}],\n"
      "             \"cursorPaging\": {\"limit\": 10}}}'\n"
      "The next page: --request '{\"query\": {\"cursorPaging\": {\"cursor\": \"<metadata.cursors.next>\"}}}'.",
      [](const ConnectionOptions& o, const v1::QueryBackInStockNotificationRequestsRequest& r,
         const CallOptions& c) { return Requests(o).QueryBackInStockNotificationRequests(r, c); }));
  commands.push_back(Unary<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest,
                           v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>(
      "count-requests",
      std::string(kRequests) + "GetBackInStockNotificationRequestsCountByCatalogReferences", "",
      "", "Count the open requests of catalog references.",
      "Prints the number of RECEIVED and PROCESSING requests per reference, for example\n"
      "  --request '{\"catalogReferences\": [{\"catalogItemId\": \"item-1\",\n"
      "             \"appId\": \"215238eb-22a5-4c36-9e7b-e7c08025e04e\"}]}'",
      [](const ConnectionOptions& o,
         const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& r,
         const CallOptions& c) {
        return Requests(o).GetBackInStockNotificationRequestsCountByCatalogReferences(r, c);
      }));
  commands.push_back(
      Unary<v1::ReportItemsBackInStockRequest, v1::ReportItemsBackInStockResponse>(
          "report-items-back-in-stock", std::string(kRequests) + "ReportItemsBackInStock", "", "",
          "Notify the customers waiting for an item.",
          "Hands every RECEIVED request of a catalog reference (or of the given ids) to the\n"
          "notifier, for example\n"
          "  --request '{\"itemDetails\": {\"name\": \"Mug\", \"price\": \"12.50\"},\n"
          "             \"catalogReference\": {\"catalogItemId\": \"item-1\",\n"
          "               \"appId\": \"215238eb-22a5-4c36-9e7b-e7c08025e04e\"}}'\n"
          "Not retried: it is not idempotent.",
          [](const ConnectionOptions& o, const v1::ReportItemsBackInStockRequest& r,
             const CallOptions& c) { return Requests(o).ReportItemsBackInStock(r, c); }));
  commands.push_back(Stream<v1::WatchNotificationRequestEventsRequest,
                            v1::WatchNotificationRequestEventsResponse>(
      "watch-request-events", std::string(kRequests) + "WatchNotificationRequestEvents",
      "Print every change to the site's requests.",
      "Prints one JSON line per created, updated or deleted request from now on, until\n"
      "interrupted (Ctrl-C), --max_messages lines, or the server shuts down.",
      [](const ConnectionOptions& o, const v1::WatchNotificationRequestEventsRequest& r,
         const CallOptions& c) { return Requests(o).WatchNotificationRequestEvents(r, c); }));
  return commands;
}

}  // namespace backinstock::ctl
