// One backinstockctl command per RPC of both services. Each is the RPC's name
// in kebab-case (shortened for the notification requests service, which says
// "back-in-stock-notification-request" in every name); the RPC's own name is
// accepted too.
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "backinstock/client/email_client.h"
#include "backinstock/client/notification_requests_client.h"
#include "backinstock/client/settings_client.h"
#include "client/ctl/command.h"
#include "client/ctl/rpc_runner.h"

namespace backinstock::ctl {
namespace {

using client::CallOptions;
using client::ConnectionOptions;
using client::EmailClient;
using client::NotificationRequestsClient;
using client::SettingsClient;

constexpr char kSettings[] = "backinstock.v1.BackInStockSettingsService/";
constexpr char kRequests[] = "backinstock.v1.BackInStockNotificationRequestService/";
constexpr char kEmail[] = "backinstock.v1.BackInStockEmailService/";

SettingsClient Settings(const ConnectionOptions& options) {
  return SettingsClient(client::MakeSettingsConnection(options));
}

NotificationRequestsClient Requests(const ConnectionOptions& options) {
  return NotificationRequestsClient(client::MakeNotificationRequestsConnection(options));
}

EmailClient Email(const ConnectionOptions& options) {
  return EmailClient(client::MakeEmailConnection(options));
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

// render-email-preview: like any unary command, except that --html_out=FILE
// writes the HTML part to FILE (to open in a browser) instead of printing it
// inside the JSON.
int RunPreview(const std::string& name, const Args& args, const std::vector<std::string>& words) {
  v1::RenderEmailPreviewRequest request;
  int exit_code = kExitOk;
  absl::StatusOr<Prepared> prepared = Prepare(name, args, words, "", &request, &exit_code);
  if (!prepared.ok()) return exit_code;
  absl::StatusOr<v1::RenderEmailPreviewResponse> response =
      Email(prepared->connection).RenderEmailPreview(request, prepared->call);
  if (!response.ok()) return PrintUnary(name, response.status());
  if (std::optional<std::string> path = args.Get("html_out")) {
    std::ofstream out(*path, std::ios::binary | std::ios::trunc);
    out << response->html();
    out.close();
    if (!out) {
      std::cerr << "backinstockctl " << name << ": cannot write " << *path << "\n";
      return kExitFailure;
    }
    std::cerr << "backinstockctl " << name << ": wrote the HTML part (" << response->html().size()
              << " bytes) to " << *path << "\n";
    response->clear_html();
  }
  return PrintUnary(name, &*response);
}

}  // namespace

std::vector<Command> RpcCommands() {
  std::vector<Command> commands;

  // --- BackInStockSettingsService ---
  commands.push_back(Unary<v1::GetSettingsRequest, v1::GetSettingsResponse>(
      "get-settings", std::string(kSettings) + "GetSettings", "", "", "Print the site's settings.",
      "Prints the caller's site's settings: one collection state per supported app, and the\n"
      "revision. Needs ECOM.READ_BACK_IN_STOCK_NOTIFICATION_SETTINGS (every role has it).",
      [](const ConnectionOptions& o, const v1::GetSettingsRequest& r, const CallOptions& c) {
        return Settings(o).GetSettings(r, c);
      }));
  commands.push_back(Unary<v1::StartCollectingRequestsRequest, v1::StartCollectingRequestsResponse>(
      "start-collecting-requests", std::string(kSettings) + "StartCollectingRequests", "[APP_ID]",
      "app_id", "Make an app collect back-in-stock requests.",
      "Makes the app (a GUID, for example 215238eb-22a5-4c36-9e7b-e7c08025e04e for Wix\n"
      "Stores) collect requests on the caller's site and prints the settings after the\n"
      "call. Idempotent. Needs ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_SETTINGS: a user or\n"
      "app token, or --elevation_token.",
      [](const ConnectionOptions& o, const v1::StartCollectingRequestsRequest& r,
         const CallOptions& c) { return Settings(o).StartCollectingRequests(r, c); }));
  commands.push_back(Unary<v1::StopCollectingRequestsRequest, v1::StopCollectingRequestsResponse>(
      "stop-collecting-requests", std::string(kSettings) + "StopCollectingRequests", "[APP_ID]",
      "app_id", "Make an app stop collecting back-in-stock requests.",
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
  commands.push_back(Unary<v1::MarkAsNotificationSentRequest, v1::MarkAsNotificationSentResponse>(
      "mark-as-notification-sent", std::string(kRequests) + "MarkAsNotificationSent", "[ID]", "id",
      "Record that a customer was notified by other means.",
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
      "The next page: --request '{\"query\": {\"cursorPaging\": {\"cursor\": "
      "\"<metadata.cursors.next>\"}}}'.",
      [](const ConnectionOptions& o, const v1::QueryBackInStockNotificationRequestsRequest& r,
         const CallOptions& c) { return Requests(o).QueryBackInStockNotificationRequests(r, c); }));
  commands.push_back(Unary<v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest,
                           v1::GetBackInStockNotificationRequestsCountByCatalogReferencesResponse>(
      "count-requests",
      std::string(kRequests) + "GetBackInStockNotificationRequestsCountByCatalogReferences", "", "",
      "Count the open requests of catalog references.",
      "Prints the number of RECEIVED and PROCESSING requests per reference, for example\n"
      "  --request '{\"catalogReferences\": [{\"catalogItemId\": \"item-1\",\n"
      "             \"appId\": \"215238eb-22a5-4c36-9e7b-e7c08025e04e\"}]}'",
      [](const ConnectionOptions& o,
         const v1::GetBackInStockNotificationRequestsCountByCatalogReferencesRequest& r,
         const CallOptions& c) {
        return Requests(o).GetBackInStockNotificationRequestsCountByCatalogReferences(r, c);
      }));
  commands.push_back(Unary<v1::ReportItemsBackInStockRequest, v1::ReportItemsBackInStockResponse>(
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
  commands.push_back(
      Stream<v1::WatchNotificationRequestEventsRequest, v1::WatchNotificationRequestEventsResponse>(
          "watch-request-events", std::string(kRequests) + "WatchNotificationRequestEvents",
          "Print every change to the site's requests.",
          "Prints one JSON line per created, updated or deleted request from now on, until\n"
          "interrupted (Ctrl-C), --max_messages lines, or the server shuts down.",
          [](const ConnectionOptions& o, const v1::WatchNotificationRequestEventsRequest& r,
             const CallOptions& c) { return Requests(o).WatchNotificationRequestEvents(r, c); }));
  commands.push_back(Unary<v1::EraseCustomerDataRequest, v1::EraseCustomerDataResponse>(
      "erase-customer-data", std::string(kRequests) + "EraseCustomerData", "[EMAIL]", "email",
      "Delete everything the site holds about one customer.",
      "Deletes every request of that email (any case, any status) on the caller's site, cancels\n"
      "their queued emails, and prints the count and ids once the address is gone from the\n"
      "server's storage. Needs ECOM.MODIFY_BACK_IN_STOCK_NOTIFICATION_REQUESTS.",
      [](const ConnectionOptions& o, const v1::EraseCustomerDataRequest& r, const CallOptions& c) {
        return Requests(o).EraseCustomerData(r, c);
      }));
  commands.push_back(Unary<v1::ExportCustomerDataRequest, v1::ExportCustomerDataResponse>(
      "export-customer-data", std::string(kRequests) + "ExportCustomerData", "[EMAIL]", "email",
      "Print everything the site holds about one customer.",
      "Prints every request of that email (any case, any status) on the caller's site, oldest\n"
      "first. Needs ECOM.READ_BACK_IN_STOCK_NOTIFICATION_REQUESTS.",
      [](const ConnectionOptions& o, const v1::ExportCustomerDataRequest& r, const CallOptions& c) {
        return Requests(o).ExportCustomerData(r, c);
      }));

  // --- BackInStockEmailService ---
  commands.push_back(Unary<v1::GetEmailTemplateRequest, v1::GetEmailTemplateResponse>(
      "get-email-template", std::string(kEmail) + "GetEmailTemplate", "", "",
      "Print the site's notification email template.",
      "Prints the caller's site's email template (the default one, revision 0, until it is\n"
      "first changed). Needs ECOM.MANAGE_BACK_IN_STOCK_EMAIL: a user or app token, or\n"
      "--elevation_token.",
      [](const ConnectionOptions& o, const v1::GetEmailTemplateRequest& r, const CallOptions& c) {
        return Email(o).GetEmailTemplate(r, c);
      }));
  commands.push_back(Unary<v1::UpdateEmailTemplateRequest, v1::UpdateEmailTemplateResponse>(
      "update-email-template", std::string(kEmail) + "UpdateEmailTemplate", "", "",
      "Change fields of the site's email template.",
      "Changes the fields named in updateMask and nothing else, and prints the template, for\n"
      "example\n"
      "  --request '{\"template\": {\"senderName\": \"Acme\", \"subject\": \"{{item.name}} is "
      "back\"},\n"
      "             \"updateMask\": \"senderName,subject\", \"expectedRevision\": \"1\"}'\n"
      "expectedRevision (optional) must be the stored revision, else ABORTED /\n"
      "REVISION_MISMATCH. Same permission as get-email-template. Not retried.",
      [](const ConnectionOptions& o, const v1::UpdateEmailTemplateRequest& r,
         const CallOptions& c) { return Email(o).UpdateEmailTemplate(r, c); }));
  {
    Command preview;
    preview.name = "render-email-preview";
    preview.rpc = std::string(kEmail) + "RenderEmailPreview";
    preview.summary = "Render the email for an item without sending it.";
    preview.description =
        "Renders the stored template (or the request's \"template\") for an item and prints\n"
        "the subject, the HTML part and the text part, for example\n"
        "  --request '{\"itemDetails\": {\"name\": \"Mug\", \"price\": \"12.50\"},\n"
        "             \"itemUrl\": \"https://shop.example.com/mug\"}' --html_out=preview.html\n"
        "--html_out=FILE writes the HTML part to FILE (open it in a browser) instead of\n"
        "printing it. Same permission as get-email-template.";
    preview.flags = Flags({"html_out"});
    preview.run = [name = preview.name](const Args& args, const std::vector<std::string>& words) {
      return RunPreview(name, args, words);
    };
    commands.push_back(std::move(preview));
  }
  commands.push_back(Unary<v1::SendTestEmailRequest, v1::SendTestEmailResponse>(
      "send-test-email", std::string(kEmail) + "SendTestEmail", "[TO]", "to",
      "Send the site's email to an address through the server's relay.",
      "Renders the stored template for an item and sends it to TO through the server's mail\n"
      "relay (--smtp_url), waiting for the relay's answer; prints the Message-ID, e.g.\n"
      "  send-test-email me@example.com \\\n"
      "    --request '{\"itemDetails\": {\"name\": \"Mug\", \"price\": \"12.50\"}}'\n"
      "Errors: FAILED_PRECONDITION / SMTP_NOT_CONFIGURED (no relay), UNAVAILABLE /\n"
      "SMTP_UNAVAILABLE (unreachable or a temporary 4xx), FAILED_PRECONDITION /\n"
      "SMTP_REJECTED (a permanent 5xx, smtpCode in the details). Not retried.",
      [](const ConnectionOptions& o, const v1::SendTestEmailRequest& r, const CallOptions& c) {
        return Email(o).SendTestEmail(r, c);
      }));
  return commands;
}

}  // namespace backinstock::ctl
