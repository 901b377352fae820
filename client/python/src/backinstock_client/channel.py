"""Channels that carry the caller's identity token, and the stubs over them."""

import grpc

from backinstock.v1 import email_pb2_grpc, notification_requests_pb2_grpc, settings_pb2_grpc


class _Details(grpc.ClientCallDetails):
    """Call details with the token added to the metadata."""

    def __init__(self, details, metadata):
        self.method = details.method
        self.timeout = details.timeout
        self.metadata = metadata
        self.credentials = details.credentials
        self.wait_for_ready = getattr(details, "wait_for_ready", None)
        self.compression = getattr(details, "compression", None)


class _IdentityInterceptor(grpc.UnaryUnaryClientInterceptor,
                           grpc.UnaryStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call.

    Plain metadata rather than call credentials: grpcio refuses call
    credentials on plaintext channels, and local development runs plaintext.
    """

    def __init__(self, identity_token):
        self._header = ("authorization", "Bearer " + identity_token)

    def _with_token(self, details):
        metadata = [m for m in (details.metadata or ()) if m[0] != "authorization"]
        return _Details(details, [self._header] + metadata)

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._with_token(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._with_token(details), request)


def connect(target, identity_token=None, *, tls=False, root_certificates=None,
            private_key=None, certificate_chain=None, options=None):
    """A channel to `target` ("host:port") that sends `identity_token`.

    TLS when `tls` is true or any PEM (bytes) is given: `root_certificates`
    verify the server (default: system roots); `private_key` and
    `certificate_chain` identify the client for mutual TLS. `options` are gRPC
    channel arguments.
    """
    options = list(options or [])
    if tls or root_certificates or private_key or certificate_chain:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=root_certificates, private_key=private_key,
            certificate_chain=certificate_chain)
        channel = grpc.secure_channel(target, credentials, options)
    else:
        channel = grpc.insecure_channel(target, options)
    if identity_token:
        channel = grpc.intercept_channel(channel, _IdentityInterceptor(identity_token))
    return channel


def elevation(elevation_token):
    """Metadata for one elevated call: `stub.Method(request, metadata=elevation(t))`."""
    return [("x-elevation-token", elevation_token)]


class Clients:
    """The stubs of every service over one channel."""

    def __init__(self, channel):
        self.settings = settings_pb2_grpc.BackInStockSettingsServiceStub(channel)
        self.notification_requests = (
            notification_requests_pb2_grpc.BackInStockNotificationRequestServiceStub(channel))
        self.email = email_pb2_grpc.BackInStockEmailServiceStub(channel)
