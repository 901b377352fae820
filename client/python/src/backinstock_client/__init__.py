"""A thin layer over the generated Back In Stock stubs.

The stubs themselves (``backinstock.v1.settings_pb2_grpc`` and friends) are
generated at build time into ``<build>/client/python/gen``; put that directory
and this package's parent on ``PYTHONPATH``. This package adds what every caller
needs around them: a channel that sends the identity token with every call,
the elevation header for single calls, and the ``google.rpc.ErrorInfo`` of a
failed call decoded from its ``grpc-status-details-bin`` trailer.

    channel = backinstock_client.connect("127.0.0.1:50051", identity_token=token)
    clients = backinstock_client.Clients(channel)
    settings = clients.settings.GetSettings(settings_pb2.GetSettingsRequest())
    template = clients.email.GetEmailTemplate(email_pb2.GetEmailTemplateRequest())
"""

from backinstock_client.channel import Clients, connect, elevation
from backinstock_client.errors import bad_request, error_info, status_details

__all__ = [
    "Clients",
    "bad_request",
    "connect",
    "elevation",
    "error_info",
    "status_details",
]
