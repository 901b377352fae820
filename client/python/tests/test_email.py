"""The Python client against the real server: BackInStockEmailService."""

import unittest

import grpc
from google.protobuf import field_mask_pb2

import backinstock_client
from backinstock.v1 import email_pb2, notification_requests_pb2
from server_fixture import EMAIL_MANAGE, Server


class EmailTest(unittest.TestCase):
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

    def test_update_preview_and_errors(self):
        email = self.clients("py-email", "user").email
        initial = email.GetEmailTemplate(email_pb2.GetEmailTemplateRequest(), timeout=30)
        self.assertEqual(initial.template.revision, 0)
        self.assertEqual(initial.template.subject, "{{item.name}} is back in stock")

        updated = email.UpdateEmailTemplate(
            email_pb2.UpdateEmailTemplateRequest(
                template=email_pb2.EmailTemplate(sender_name="Py Shop",
                                                 subject="{{item.name}}, from Python"),
                update_mask=field_mask_pb2.FieldMask(paths=["senderName", "subject"])),
            timeout=30)
        self.assertEqual(updated.template.revision, 1)
        self.assertEqual(updated.template.sender_name, "Py Shop")

        preview = email.RenderEmailPreview(
            email_pb2.RenderEmailPreviewRequest(
                item_details=notification_requests_pb2.BackInStockItemDetails(
                    name="Teapot <b>", price="12.50")),
            timeout=30)
        self.assertEqual(preview.subject, "Teapot <b>, from Python")
        self.assertIn("Teapot &lt;b&gt;", preview.html)
        self.assertIn("12.50", preview.text)

        with self.assertRaises(grpc.RpcError) as raised:
            email.UpdateEmailTemplate(
                email_pb2.UpdateEmailTemplateRequest(
                    template=email_pb2.EmailTemplate(subject="{{#item.name}}x{{/item.name}}"),
                    update_mask=field_mask_pb2.FieldMask(paths=["subject"])),
                timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertEqual(backinstock_client.error_info(raised.exception).reason, "INVALID_TEMPLATE")
        violations = backinstock_client.bad_request(raised.exception).field_violations
        self.assertEqual([v.field for v in violations], ["template.subject"])

    def test_a_visitor_needs_elevation(self):
        email = self.clients("py-email-visitor", "visitor").email
        with self.assertRaises(grpc.RpcError) as raised:
            email.GetEmailTemplate(email_pb2.GetEmailTemplateRequest(), timeout=30)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        info = backinstock_client.error_info(raised.exception)
        self.assertEqual(info.reason, "ELEVATION_REQUIRED")
        self.assertEqual(info.metadata["permission"], EMAIL_MANAGE)
        response = email.GetEmailTemplate(
            email_pb2.GetEmailTemplateRequest(),
            metadata=backinstock_client.elevation(
                self.server.elevation_token("py-email-visitor", [EMAIL_MANAGE])),
            timeout=30)
        self.assertEqual(response.template.revision, 0)


if __name__ == "__main__":
    unittest.main()
