"""The service's errors: every failed call carries a google.rpc.Status in the
`grpc-status-details-bin` trailer, with exactly one google.rpc.ErrorInfo and,
for invalid arguments, a google.rpc.BadRequest."""

from google.rpc import error_details_pb2, status_pb2

_DETAILS_KEY = "grpc-status-details-bin"


def status_details(error):
    """The google.rpc.Status of a grpc.RpcError, or None."""
    for key, value in error.trailing_metadata() or ():
        if key == _DETAILS_KEY:
            status = status_pb2.Status()
            status.ParseFromString(value)
            return status
    return None


def _detail(error, message_type):
    status = status_details(error)
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(message_type.DESCRIPTOR):
            message = message_type()
            detail.Unpack(message)
            return message
    return None


def error_info(error):
    """The google.rpc.ErrorInfo (reason, domain, metadata) of a grpc.RpcError, or None."""
    return _detail(error, error_details_pb2.ErrorInfo)


def bad_request(error):
    """The google.rpc.BadRequest (field violations) of a grpc.RpcError, or None."""
    return _detail(error, error_details_pb2.BadRequest)
