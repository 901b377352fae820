#include "client/src/idempotency.h"

namespace backinstock::client::internal {
namespace {

constexpr absl::string_view kSettings = "backinstock.v1.BackInStockSettingsService";
constexpr absl::string_view kRequests = "backinstock.v1.BackInStockNotificationRequestService";
constexpr absl::string_view kEmail = "backinstock.v1.BackInStockEmailService";

// A call is idempotent when repeating it leaves the same state and answer as
// making it once; only those are safe to resend after an UNAVAILABLE that may
// have reached the server.
constexpr MethodIdempotency kTable[] = {
    {kSettings, "GetSettings", true},
    // Start/Stop set a state; repeating them changes nothing (settings.proto).
    {kSettings, "StartCollectingRequests", true},
    {kSettings, "StopCollectingRequests", true},
    // A retried stream restarts from the current settings: nothing is lost.
    {kSettings, "WatchSettings", true},

    // Create has no request id to deduplicate on: a retry could store a
    // second request, or fail with ALREADY_EXISTS for the caller's own first.
    {kRequests, "CreateBackInStockNotificationRequest", false},
    {kRequests, "GetBackInStockNotificationRequest", true},
    // A retried delete that succeeded the first time would report NOT_FOUND.
    {kRequests, "DeleteBackInStockNotificationRequest", false},
    // Sets NOTIFICATION_SENT and auto_notified = false: the same state again.
    {kRequests, "MarkAsNotificationSent", true},
    {kRequests, "QueryBackInStockNotificationRequests", true},
    {kRequests, "GetBackInStockNotificationRequestsCountByCatalogReferences", true},
    // Hands requests to the notifier: left to the caller to decide to resend.
    {kRequests, "ReportItemsBackInStock", false},
    // gRPC retries a stream only before the server has answered anything, so
    // no event was delivered yet: the retried watch is just a later fresh one.
    {kRequests, "WatchNotificationRequestEvents", true},
    // Resent after it applied, an erase finds nothing more to delete and
    // purges again: the same state (its answer then lists no ids). Retrying
    // is what a caller asked to forget a customer wants.
    {kRequests, "EraseCustomerData", true},
    {kRequests, "ExportCustomerData", true},

    {kEmail, "GetEmailTemplate", true},
    // The same fields set again leave the same template, but an update with
    // expected_revision that applied the first time would answer
    // REVISION_MISMATCH when resent: the caller re-reads and decides.
    {kEmail, "UpdateEmailTemplate", false},
    // Renders without storing anything.
    {kEmail, "RenderEmailPreview", true},
    // A resend could deliver a second email.
    {kEmail, "SendTestEmail", false},
};

}  // namespace

absl::Span<const MethodIdempotency> IdempotencyTable() { return kTable; }

}  // namespace backinstock::client::internal
