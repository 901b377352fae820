"""The Python client against the real server: BackInStockSettingsService."""

import unittest

import grpc

import backinstock_client
from backinstock.v1 import settings_pb2
from server_fixture import SETTINGS_MODIFY, WIX_STORES_APP_ID, Server


class SettingsTest(unittest.TestCase):
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

    def test_get_returns_the_default_settings(self):
        response = self.clients("py-get", "member").settings.GetSettings(
            settings_pb2.GetSettingsRequest(), timeout=30)
        states = response.settings.collection_states
        self.assertEqual([(s.app_id, s.collecting_requests) for s in states],
                         [(WIX_STORES_APP_ID, False)])
        self.assertEqual(response.settings.revision, 0)

    def test_start_with_elevation(self):
        site = "py-elevated"
        clients = self.clients(site, "visitor")
        response = clients.settings.StartCollectingRequests(
            settings_pb2.StartCollectingRequestsRequest(app_id=WIX_STORES_APP_ID),
            metadata=backinstock_client.elevation(
                self.server.elevation_token(site, [SETTINGS_MODIFY])),
            timeout=30)
        self.assertTrue(response.settings.collection_states[0].collecting_requests)
        self.assertEqual(response.settings.revision, 1)
        # The change is the site's: a later read sees it.
        read = clients.settings.GetSettings(settings_pb2.GetSettingsRequest(), timeout=30)
        self.assertEqual(read.settings, response.settings)

    def test_permission_error_carries_its_error_info(self):
        clients = self.clients("py-denied", "visitor")
        with self.assertRaises(grpc.RpcError) as raised:
            clients.settings.StartCollectingRequests(
                settings_pb2.StartCollectingRequestsRequest(app_id=WIX_STORES_APP_ID), timeout=30)
        error = raised.exception
        self.assertEqual(error.code(), grpc.StatusCode.PERMISSION_DENIED)
        info = backinstock_client.error_info(error)
        self.assertIsNotNone(info)
        self.assertEqual(info.reason, "ELEVATION_REQUIRED")
        self.assertEqual(info.domain, "backinstock.v1")
        self.assertEqual(info.metadata["permission"], SETTINGS_MODIFY)
        self.assertIsNone(backinstock_client.bad_request(error))
        # Nothing happened.
        read = clients.settings.GetSettings(settings_pb2.GetSettingsRequest(), timeout=30)
        self.assertEqual(read.settings.revision, 0)

    def test_invalid_argument_carries_a_field_violation(self):
        clients = self.clients("py-invalid", "user")
        with self.assertRaises(grpc.RpcError) as raised:
            clients.settings.StartCollectingRequests(
                settings_pb2.StartCollectingRequestsRequest(app_id="not-a-guid"), timeout=30)
        error = raised.exception
        self.assertEqual(error.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(backinstock_client.error_info(error).domain, "backinstock.v1")
        violations = backinstock_client.bad_request(error).field_violations
        self.assertEqual([v.field for v in violations], ["app_id"])

    def test_missing_token_is_unauthenticated(self):
        channel = backinstock_client.connect(self.server.address)
        self.addCleanup(channel.close)
        with self.assertRaises(grpc.RpcError) as raised:
            backinstock_client.Clients(channel).settings.GetSettings(
                settings_pb2.GetSettingsRequest(), timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(backinstock_client.error_info(raised.exception).reason, "TOKEN_MISSING")

    def test_watch_streams_the_current_settings_first(self):
        clients = self.clients("py-watch", "user")
        stream = clients.settings.WatchSettings(settings_pb2.WatchSettingsRequest(), timeout=30)
        first = next(stream)
        self.assertEqual(first.settings.revision, 0)
        clients.settings.StartCollectingRequests(
            settings_pb2.StartCollectingRequestsRequest(app_id=WIX_STORES_APP_ID), timeout=30)
        second = next(stream)
        self.assertEqual(second.settings.revision, 1)
        stream.cancel()


if __name__ == "__main__":
    unittest.main()
