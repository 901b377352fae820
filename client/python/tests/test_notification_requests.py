"""The Python client against the real server:
BackInStockNotificationRequestService."""

import unittest

import grpc

import backinstock_client
from backinstock.v1 import notification_requests_pb2 as requests_pb2
from backinstock.v1 import settings_pb2
from server_fixture import REQUESTS_MODIFY, REQUESTS_READ, WIX_STORES_APP_ID, Server

def _create_request(item_id, email):
    return requests_pb2.CreateBackInStockNotificationRequestRequest(
        request=requests_pb2.BackInStockNotificationRequest(
            catalog_reference=requests_pb2.CatalogReference(
                catalog_item_id=item_id, app_id=WIX_STORES_APP_ID),
            email=email),
        item_details=requests_pb2.BackInStockItemDetails(name="Mug", price="12.50"))


class NotificationRequestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def clients(self, site, role):
        channel = backinstock_client.connect(
            self.server.address, identity_token=self.server.identity_token(site, role))
        self.addCleanup(channel.close)
        return backinstock_client.Clients(channel)

    def collecting_site(self, site):
        self.clients(site, "user").settings.StartCollectingRequests(
            settings_pb2.StartCollectingRequestsRequest(app_id=WIX_STORES_APP_ID), timeout=30)

    def test_create_then_get(self):
        site = "py-requests-get"
        self.collecting_site(site)
        created = self.clients(site, "visitor").notification_requests.CreateBackInStockNotificationRequest(
            _create_request("item-1", "jane@example.com"), timeout=30).request
        self.assertEqual(created.status, requests_pb2.BackInStockNotificationRequest.RECEIVED)
        self.assertTrue(created.id)
        got = self.clients(site, "user").notification_requests.GetBackInStockNotificationRequest(
            requests_pb2.GetBackInStockNotificationRequestRequest(id=created.id), timeout=30)
        self.assertEqual(got.request, created)

    def test_mark_as_sent_with_elevation(self):
        site = "py-requests-elevated"
        self.collecting_site(site)
        clients = self.clients(site, "member")
        created = clients.notification_requests.CreateBackInStockNotificationRequest(
            _create_request("item-2", "joe@example.com"), timeout=30).request
        marked = clients.notification_requests.MarkAsNotificationSent(
            requests_pb2.MarkAsNotificationSentRequest(id=created.id),
            metadata=backinstock_client.elevation(
                self.server.elevation_token(site, [REQUESTS_MODIFY])),
            timeout=30).request
        self.assertEqual(marked.status, requests_pb2.BackInStockNotificationRequest.NOTIFICATION_SENT)
        self.assertTrue(marked.HasField("auto_notified"))
        self.assertFalse(marked.auto_notified.value)

    def test_duplicate_carries_the_existing_id(self):
        site = "py-requests-duplicate"
        self.collecting_site(site)
        clients = self.clients(site, "visitor")
        first = clients.notification_requests.CreateBackInStockNotificationRequest(
            _create_request("item-3", "ann@example.com"), timeout=30).request
        with self.assertRaises(grpc.RpcError) as raised:
            clients.notification_requests.CreateBackInStockNotificationRequest(
                _create_request("item-3", "ann@example.com"), timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.ALREADY_EXISTS)
        info = backinstock_client.error_info(raised.exception)
        self.assertEqual(info.reason, "BACK_IN_STOCK_NOTIFICATION_REQUEST_ALREADY_EXISTS")
        self.assertEqual(info.metadata["id"], first.id)

    def test_collection_disabled_is_a_failed_precondition(self):
        clients = self.clients("py-requests-disabled", "visitor")
        with self.assertRaises(grpc.RpcError) as raised:
            clients.notification_requests.CreateBackInStockNotificationRequest(
                _create_request("item-4", "bo@example.com"), timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(backinstock_client.error_info(raised.exception).reason,
                         "REQUEST_COLLECTION_DISABLED")

    def test_export_and_erase_customer_data(self):
        site = "py-requests-personal-data"
        self.collecting_site(site)
        visitor = self.clients(site, "visitor")
        kept = visitor.notification_requests.CreateBackInStockNotificationRequest(
            _create_request("item-5", "other@example.com"), timeout=30).request
        ids = [visitor.notification_requests.CreateBackInStockNotificationRequest(
            _create_request(item, email), timeout=30).request.id
            for item, email in (("item-5", "Pat@Example.com"), ("item-6", "pat@example.com"))]
        with self.assertRaises(grpc.RpcError) as raised:
            visitor.notification_requests.EraseCustomerData(
                requests_pb2.EraseCustomerDataRequest(email="pat@example.com"), timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(backinstock_client.error_info(raised.exception).reason,
                         "ELEVATION_REQUIRED")

        exported = visitor.notification_requests.ExportCustomerData(
            requests_pb2.ExportCustomerDataRequest(email="PAT@example.com"),
            metadata=backinstock_client.elevation(
                self.server.elevation_token(site, [REQUESTS_READ])),
            timeout=30)
        self.assertEqual([r.id for r in exported.requests], ids)

        owner = self.clients(site, "user")
        with self.assertRaises(grpc.RpcError) as raised:
            owner.notification_requests.ExportCustomerData(
                requests_pb2.ExportCustomerDataRequest(email="pat"), timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        erased = owner.notification_requests.EraseCustomerData(
            requests_pb2.EraseCustomerDataRequest(email="pat@example.com"), timeout=30)
        self.assertEqual(erased.erased_count, 2)
        self.assertEqual(sorted(erased.erased_request_ids), sorted(ids))
        left = owner.notification_requests.ExportCustomerData(
            requests_pb2.ExportCustomerDataRequest(email="other@example.com"), timeout=30)
        self.assertEqual([r.id for r in left.requests], [kept.id])


if __name__ == "__main__":
    unittest.main()
